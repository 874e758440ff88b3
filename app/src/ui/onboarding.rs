//! Getting an account and getting back into one: register, confirm the email address, and
//! reset a forgotten password (also how invited staff choose their first one).

use super::forms::{Field, FormError, ServerForm, SubmitButton, action_error, server_call};
use crate::api::account::{RegisterCustomer, RequestPasswordReset, ResetPassword, VerifyEmail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

/// A form page: a titled card holding `children`.
#[component]
fn FormPage(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <div class="page page--form">
            <section class="form-card" aria-labelledby="form-heading">
                <h1 id="form-heading" class="page__title">{title}</h1>
                {children()}
            </section>
        </div>
    }
}

/// What a form turns into once it has done its job.
#[component]
fn Done(message: String, #[prop(optional)] next: Option<(&'static str, &'static str)>) -> impl IntoView {
    view! {
        <p class="form-card__note" role="status">{message}</p>
        {next.map(|(href, label)| view! {
            <p class="form-card__actions">
                <A href=href attr:class="button button--primary">{label}</A>
            </p>
        })}
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = server_call::<RegisterCustomer>();
    // The action forgets its input once it resolves; the address is kept for the answer.
    let email = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(input) = register.input().get() {
            email.set(input.email);
        }
    });
    let sent_to = move || matches!(register.value().get(), Some(Ok(()))).then(|| email.get());
    view! {
        <FormPage title="Create your account">
            {move || match sent_to() {
                Some(email) => view! {
                    <Done message=format!(
                        "Check your inbox: we sent a link to {email}. Open it to confirm your address \
                         within 24 hours, then sign in."
                    ) />
                }
                .into_any(),
                None => view! {
                    <p class="form-card__note">
                        "Follow your requests on every channel in one place. Already have an account? "
                        <A href="/sign-in">"Sign in"</A>
                    </p>
                    <ServerForm action=register class="form">
                        <Field id="display_name" label="Your name" kind="text" autocomplete="name" />
                        <Field id="email" label="Email" kind="email" autocomplete="email" />
                        <Field
                            id="password"
                            label="Password"
                            kind="password"
                            autocomplete="new-password"
                            hint="At least 10 characters. A few unrelated words make a strong one."
                        />
                        <FormError message=action_error(register) />
                        <SubmitButton pending=register.pending() label="Create account" busy="Creating…" />
                    </ServerForm>
                }
                .into_any(),
            }}
        </FormPage>
    }
}

/// The token a mailed link carries in its query.
fn link_token() -> impl Fn() -> String + Copy {
    let query = use_query_map();
    move || query.read().get("token").unwrap_or_default()
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let verify = server_call::<VerifyEmail>();
    let token = link_token();
    let verified = move || matches!(verify.value().get(), Some(Ok(())));
    view! {
        <FormPage title="Confirm your email">
            // A button rather than confirming on page load: mail scanners that open links must
            // not be able to use them up.
            <Show
                when=verified
                fallback=move || view! {
                    <p class="form-card__note">"One click and your account is ready."</p>
                    <ServerForm action=verify class="form">
                        <input type="hidden" name="token" value=token />
                        <FormError message=action_error(verify) />
                        <SubmitButton pending=verify.pending() label="Confirm email address" busy="Confirming…" />
                    </ServerForm>
                }
            >
                <Done
                    message="Your email address is confirmed. Sign in to see your requests.".to_owned()
                    next=("/sign-in", "Sign in")
                />
            </Show>
        </FormPage>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = server_call::<RequestPasswordReset>();
    let sent = move || matches!(request.value().get(), Some(Ok(())));
    view! {
        <FormPage title="Reset your password">
            <Show
                when=sent
                fallback=move || view! {
                    <p class="form-card__note">"Enter the email you sign in with and we will send you a link to choose a new password."</p>
                    <ServerForm action=request class="form">
                        <Field id="email" label="Email" kind="email" autocomplete="email" />
                        <FormError message=action_error(request) />
                        <SubmitButton pending=request.pending() label="Send reset link" busy="Sending…" />
                    </ServerForm>
                }
            >
                <Done message="If that address has an account, a reset link is on its way. It works once, for one hour."
                    .to_owned() />
            </Show>
        </FormPage>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = server_call::<ResetPassword>();
    let token = link_token();
    let done = move || matches!(reset.value().get(), Some(Ok(())));
    view! {
        <FormPage title="Choose a new password">
            <Show
                when=done
                fallback=move || view! {
                    <ServerForm action=reset class="form">
                        <input type="hidden" name="token" value=token />
                        <Field
                            id="password"
                            label="New password"
                            kind="password"
                            autocomplete="new-password"
                            hint="At least 10 characters."
                        />
                        <FormError message=action_error(reset) />
                        <SubmitButton pending=reset.pending() label="Save password" busy="Saving…" />
                    </ServerForm>
                }
            >
                <Done
                    message="Your password is saved, and every device that was signed in has been signed out."
                        .to_owned()
                    next=("/sign-in", "Sign in")
                />
            </Show>
        </FormPage>
    }
}
