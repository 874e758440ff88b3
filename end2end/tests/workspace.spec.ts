import { expect, test } from "@playwright/test";
import { apiKey, newCustomer, signIn, visitorRequest } from "./support";

test("an agent picks up a new request, notes, replies and solves it; the customer sees only the reply, and their answer arrives live", async ({ browser }) => {
  // Two people's whole journeys: registration, a request, and the agent's work on it.
  test.setTimeout(90_000);
  // The customer, in their own browser, asks for help in the portal.
  const customerContext = await browser.newContext();
  const customer = await customerContext.newPage();
  await newCustomer(customer, "Lena Park");
  const subject = `Lost my tracking number ${Date.now()}`;
  await customer.goto("/contact");
  await customer.locator("body[data-hydrated]").waitFor();
  await customer.getByLabel("Subject").fill(subject);
  await customer.getByLabel("How can we help?").fill("The confirmation email never arrived.");
  await customer.getByRole("button", { name: "Send request" }).click();
  await expect(customer).toHaveURL(/\/requests\/\d+$/);
  const requestUrl = customer.url();

  // The agent finds it among the unassigned tickets, with the customer beside it.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await agent.goto("/agent");
  await signIn(agent, "agent@northwind.test");
  await expect(agent.getByRole("heading", { level: 1, name: "Mine" })).toBeVisible();
  await agent.locator("body[data-hydrated]").waitFor();
  await agent.getByRole("navigation", { name: "Inbox views" }).getByRole("link", { name: /Unassigned/ }).click();
  await expect(agent.getByRole("heading", { level: 1, name: "Unassigned" })).toBeVisible();
  const row = agent.getByRole("link").filter({ hasText: subject });
  await expect(row).toContainText("The confirmation email never arrived.");
  await row.click();
  await expect(agent.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await agent.locator("body[data-hydrated]").waitFor();
  const customerPanel = agent.getByRole("region", { name: /Lena Park/ });
  await expect(customerPanel).toContainText("@example.test");

  await agent.getByLabel("Assignee").selectOption({ label: "Sam Okafor" });
  await expect(agent.getByLabel("Assignee")).toHaveValue(/\d+/);

  const conversation = agent.getByRole("list", { name: "Conversation" });
  await agent.getByLabel("Internal note").check();
  await agent.getByLabel("Note for your team (the customer never sees it)").fill("Resend from the order system.");
  await agent.getByRole("button", { name: "Add note" }).click();
  await expect(conversation).toContainText("Internal note · Sam Okafor");

  await agent.getByLabel("Reply to customer").check();
  await expect(agent.getByLabel("Send by")).toHaveValue("portal");
  await agent.getByLabel("Your reply").fill("Your tracking number is **NW-55120**.");
  await agent.getByRole("button", { name: "Send reply" }).click();
  await expect(conversation.locator(":scope > li").filter({ hasText: "NW-55120" })).toContainText("Sam Okafor");
  await expect(agent.getByText("Pending", { exact: true }).first()).toBeVisible();

  // The customer sees the reply, and not the note; their answer appears on the agent's open
  // ticket without a reload, within a second.
  await customer.goto(requestUrl);
  const thread = customer.getByRole("list", { name: "Conversation" });
  await expect(thread).toContainText("Your tracking number is NW-55120.");
  // Agents write markdown; customers read it rendered.
  await expect(thread.locator("strong", { hasText: "NW-55120" })).toBeVisible();
  await expect(thread).not.toContainText("**");
  await expect(thread).not.toContainText("Resend from the order system.");
  await customer.locator("body[data-hydrated]").waitFor();
  await customer.getByLabel("Your reply").fill("Found the parcel, thank you!");
  await customer.getByRole("button", { name: "Send reply" }).click();
  await expect(thread).toContainText("Found the parcel, thank you!");
  await expect(conversation).toContainText("Found the parcel, thank you!", { timeout: 1_000 });
  await expect(agent.locator(".desk__meta")).toContainText("Open", { timeout: 1_000 });

  await agent.getByLabel("Solve as").selectOption("answered");
  await agent.getByRole("button", { name: "Solve" }).click();
  await expect(conversation.locator(":scope > li").last()).toContainText("Question answered");
  for (const { label, width, height } of [
    { label: "phone", width: 390, height: 844 },
    { label: "laptop", width: 1280, height: 800 },
    { label: "wide", width: 1920, height: 1080 },
  ]) {
    await agent.setViewportSize({ width, height });
    await agent.screenshot({ path: `test-results/screenshots/agent-ticket-${label}.png`, fullPage: true });
  }

  await customerContext.close();
  await agentContext.close();
});

test("inbox filters narrow the list and survive a reload", async ({ page }) => {
  await page.goto("/sign-in");
  await signIn(page, "supervisor@northwind.test");
  await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.goto("/agent?view=all");
  await expect(page.getByRole("heading", { level: 1, name: "All unsolved" })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Channel").selectOption("social");
  await expect(page).toHaveURL(/channel=social/);
  const rows = page.getByRole("list").filter({ has: page.locator(".ticket-row") }).locator(".ticket-row");
  // The list keeps showing the last page while the filtered one loads.
  await expect(rows.locator(".channel").filter({ hasNotText: "Social" })).toHaveCount(0);
  await expect(rows.first()).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Channel")).toHaveValue("social");
  const mine = page.getByRole("navigation", { name: "Inbox views" }).getByRole("link", { name: /All unsolved/ });
  await expect(mine).toHaveText(/\d+/);

  // Narrowed to one colleague's tickets, whichever channel.
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Channel").selectOption("");
  await expect(page).not.toHaveURL(/channel=social/);
  await page.getByLabel("Assignee").selectOption({ label: "Sam Okafor" });
  await expect(page).toHaveURL(/assignee=\d+/);
  await expect(rows.locator(".ticket-row__assignee").filter({ hasNotText: "Sam Okafor" })).toHaveCount(0);
  await expect(rows.first()).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/agent-inbox-laptop.png", fullPage: true });
});

test("two agents on one ticket see each other, and who is writing a reply", async ({ browser }) => {
  const open = async (email: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto("/sign-in");
    await signIn(page, email);
    await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
    // Seeded ticket #4: a phone call nobody else's test writes to.
    await page.goto("/agent/tickets/4");
    await page.locator("body[data-hydrated]").waitFor();
    return { context, page };
  };
  const sam = await open("agent@northwind.test");
  // Not the supervisor: the keyboard test, running alongside, opens tickets as her, and
  // presence is per person.
  const morgan = await open("admin@northwind.test");

  await expect(sam.page.getByRole("status").filter({ hasText: "viewing" })).toContainText("Morgan Admin is viewing this ticket.");
  await expect(morgan.page.getByRole("status").filter({ hasText: "viewing" })).toContainText("Sam Okafor is viewing this ticket.");

  await morgan.page.getByLabel("Your reply").fill("Calling the carrier now.");
  const warning = sam.page.getByRole("status").filter({ hasText: "writing a reply" });
  await expect(warning).toContainText("Morgan Admin is writing a reply to this ticket.");
  await expect(sam.page.getByRole("button", { name: "Send anyway" })).toBeVisible();

  // Morgan goes back to the inbox: Sam sees her leave at once, not at the presence timeout.
  await morgan.page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Inbox" }).click();
  await expect(warning).toHaveCount(0);
  await expect(sam.page.getByRole("status").filter({ hasText: "Morgan" })).toHaveCount(0);
  await morgan.context.close();
  await expect(sam.page.getByRole("button", { name: "Send reply" })).toBeVisible();
  await sam.context.close();
});

test("the workspace works from the keyboard", async ({ page }) => {
  await page.goto("/sign-in");
  await signIn(page, "supervisor@northwind.test");
  await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.goto("/agent?view=all&sort=waiting");
  await page.locator("body[data-hydrated]").waitFor();
  const rows = page.locator(".ticket-row__link");
  await page.keyboard.press("j");
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press("j");
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press("k");
  await expect(rows.nth(0)).toBeFocused();
  const opened = (await rows.nth(0).getAttribute("href")) ?? "";
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`${opened}$`));

  // Seeded ticket #5, which no other test changes.
  await page.goto("/agent/tickets/5");
  await page.locator("body[data-hydrated]").waitFor();
  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toContainText("Assign the ticket to me");
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);
  await page.keyboard.press("n");
  await expect(page.getByLabel("Note for your team (the customer never sees it)")).toBeFocused();
  await page.keyboard.type("typed, not a shortcut: a e r");
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("a");
  await expect(page.getByLabel("Assignee")).toHaveValue(/\d+/);
  await expect(page.getByLabel("Assignee").locator("option:checked")).toHaveText("Priya Natarajan");
  await expect(page.getByLabel("Note for your team (the customer never sees it)")).toHaveValue("typed, not a shortcut: a e r");
});

test("a reply by email shows, under it, that it waits for the mail server", async ({ browser, page }) => {
  // A visitor writes in through the contact form, leaving only an email address.
  const ticket = await visitorRequest(browser, "Omar Haddad", `Kettle lid cracked ${Date.now()}`);
  await page.goto("/agent");
  await signIn(page, "agent@northwind.test");
  await expect(page.getByRole("heading", { level: 1, name: "Mine" })).toBeVisible();
  await page.goto(`/agent/tickets/${ticket}`);
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Send by").selectOption("email");
  await page.getByLabel("Your reply").fill("A new lid is on its way to you.");
  await page.getByRole("button", { name: "Send reply" }).click();
  // This test server has no SMTP_URL: the reply is recorded and its mail stays queued.
  const sent = page.getByRole("list", { name: "Conversation" }).locator(":scope > li").filter({ hasText: "A new lid is on its way" });
  await expect(sent).toContainText("Email");
  await expect(sent).toContainText("Queued for email delivery");
  await page.screenshot({ path: "test-results/screenshots/ticket-reply-by-email-1280.png", fullPage: true });
});

test("an SMS and a WhatsApp message from one number are one conversation, the SMS reply waits for its provider, and the agent logs their call", async ({ page, request }) => {
  const key = apiKey(["messages:write"]);
  const stamp = Date.now();
  // A number nobody has used: the last digits from the clock.
  const number = `+4479111${String(stamp).slice(-5)}`;
  const post = (data: object) =>
    request.post("/api/v1/messages", { headers: { Authorization: `Bearer ${key}` }, data });
  const sms = await post({ channel: "sms", from: { phone: number, name: "Rosa Lima" }, body: `My parcel ${stamp} is lost`, message_id: `SM${stamp}a` });
  expect(sms.status()).toBe(201);
  const first = await sms.json();
  const whatsapp = await post({ channel: "whatsapp", from: { whatsapp: number }, body: "Here is a photo of the label", message_id: `SM${stamp}b` });
  expect((await whatsapp.json()).ticket_id).toBe(first.ticket_id);

  await page.goto("/agent");
  await signIn(page, "agent@northwind.test");
  await expect(page.getByRole("heading", { level: 1, name: "Mine" })).toBeVisible();
  await page.goto(`/agent/tickets/${first.ticket_id}`);
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByText(/opened .* by SMS/)).toBeVisible();
  const conversation = page.getByRole("list", { name: "Conversation" });
  await expect(conversation.locator(":scope > li").filter({ hasText: `My parcel ${stamp} is lost` })).toContainText("SMS");
  await expect(conversation.locator(":scope > li").filter({ hasText: "photo of the label" })).toContainText("WhatsApp");
  await expect(page.getByRole("region", { name: /Rosa Lima/ })).toContainText(number);

  await page.getByLabel("Send by").selectOption("sms");
  await page.getByLabel("Your reply").fill("Thanks Rosa, we have asked the courier.");
  await page.getByRole("button", { name: "Send reply" }).click();
  // This test server has no Twilio account set up: the reply is recorded and waits.
  const sent = conversation.locator(":scope > li").filter({ hasText: "we have asked the courier" });
  await expect(sent).toContainText("Queued for SMS delivery");
  await page.screenshot({ path: "test-results/ticket-sms-reply.png", fullPage: true });

  // Rosa rings instead; the agent logs the call, her number already filled in.
  await page.getByText("Log a phone call").click();
  const callForm = page.getByRole("form", { name: "Log a phone call" });
  await expect(callForm.getByLabel("Phone number")).toHaveValue(number);
  await callForm.getByLabel("The customer called").check();
  await callForm.getByLabel("Minutes").fill("4");
  await callForm.getByLabel("Outcome").fill("Courier rebooked");
  await callForm.getByLabel("What was said").fill("She will be home on Friday.");
  await page.screenshot({ path: "test-results/ticket-log-call.png", fullPage: true });
  await callForm.getByRole("button", { name: "Log call" }).click();
  const logged = conversation.locator(":scope > li").filter({ hasText: "Courier rebooked" });
  await expect(logged).toContainText(`Inbound call with ${number}, answered by Sam Okafor, 4 min 0 s.`);
  await expect(logged).toContainText("Phone");
  await expect(logged).toContainText("She will be home on Friday.");
  await expect(page.getByRole("form", { name: "Log a phone call" })).toBeHidden();
});
