//! Macro text with `{{variables}}`: filled in by the composer as an agent picks a macro, and
//! checked by the server when an admin saves one, so both read variables the same way.

/// What a macro's text may name, with what the editor says of each.
pub const VARIABLES: &[(&str, &str)] = &[
    ("customer.name", "the customer's name"),
    ("customer.first_name", "the customer's first name"),
    ("ticket.id", "the ticket number"),
    ("agent.name", "your name"),
    ("agent.first_name", "your first name"),
];

/// The values of the variables for one ticket and the agent writing on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context<'a> {
    pub customer_name: &'a str,
    pub ticket_id: i64,
    pub agent_name: &'a str,
}

impl Context<'_> {
    fn value(&self, variable: &str) -> Option<String> {
        let first = |name: &str| name.split_whitespace().next().unwrap_or(name).to_owned();
        Some(match variable {
            "customer.name" => self.customer_name.to_owned(),
            "customer.first_name" => first(self.customer_name),
            "ticket.id" => self.ticket_id.to_string(),
            "agent.name" => self.agent_name.to_owned(),
            "agent.first_name" => first(self.agent_name),
            _ => return None,
        })
    }
}

/// The text with every known variable replaced by its value; anything else in braces stays.
pub fn render(text: &str, context: &Context<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, name, after)) = next_variable(rest) {
        out.push_str(before);
        match context.value(name) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[before.len()..rest.len() - after.len()]),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The names in braces that are not variables, in order of appearance, each once.
pub fn unknown_variables(text: &str) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some((_, name, after)) = next_variable(rest) {
        if !VARIABLES.iter().any(|(known, _)| *known == name) && !unknown.iter().any(|seen| seen == name) {
            unknown.push(name.to_owned());
        }
        rest = after;
    }
    unknown
}

/// Splits off the first `{{ name }}`: the text before it, the trimmed name, the text after.
fn next_variable(text: &str) -> Option<(&str, &str, &str)> {
    let start = text.find("{{")?;
    let end = start + 2 + text[start + 2..].find("}}")?;
    Some((&text[..start], text[start + 2..end].trim(), &text[end + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: Context<'static> = Context { customer_name: "Ana Lima", ticket_id: 42, agent_name: "Sam Rivera" };

    #[test]
    fn fills_every_variable() {
        let text = "Hi {{customer.first_name}}, ticket #{{ ticket.id }} is with {{agent.name}} ({{customer.name}}). {{agent.first_name}}";
        assert_eq!(render(text, &ANA), "Hi Ana, ticket #42 is with Sam Rivera (Ana Lima). Sam");
    }

    #[test]
    fn leaves_unknown_and_unclosed_braces_alone() {
        assert_eq!(render("{{customer.nmae}} and {{customer.name", &ANA), "{{customer.nmae}} and {{customer.name");
        assert_eq!(unknown_variables("{{customer.nmae}} {{ x }} {{x}} {{ticket.id}}"), ["customer.nmae", "x"]);
        assert!(unknown_variables("plain text, {single} braces").is_empty());
    }

    #[test]
    fn a_value_is_never_read_as_a_variable() {
        let odd = Context { customer_name: "{{agent.name}}", ..ANA };
        assert_eq!(render("Hi {{customer.name}}", &odd), "Hi {{agent.name}}");
    }
}
