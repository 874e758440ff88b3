//! The one error type server functions return and the UI matches on.
//!
//! It carries only what a user may see; the server-side cause is logged where it happens.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request was understood but its input is not acceptable; the text says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The record exists already (an email address, a slug).
    #[error("{0}")]
    Conflict(String),
    #[error("We could not find what you were looking for.")]
    NotFound,
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("Your account does not have access to this.")]
    Forbidden,
    /// A ticket of a restricted team, asked for by an agent outside it.
    #[error("This ticket belongs to {0}, a restricted team. Ask a supervisor to assign it to you.")]
    Restricted(String),
    /// One message for an unknown email and a wrong password, so neither can be told apart.
    #[error("The email or password is incorrect.")]
    WrongCredentials,
    #[error("Too many attempts. Try again in {0} s.")]
    TooManyAttempts(u64),
    #[error("The service is busy right now. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on our side. It has been logged and we are on it.")]
    Internal,
    /// The request never reached the server function (network down, malformed payload).
    #[error("Could not reach the server ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    pub fn status_code(&self) -> u16 {
        match self {
            Self::Invalid(_) => 422,
            Self::Conflict(_) => 409,
            Self::NotFound => 404,
            Self::NotSignedIn | Self::WrongCredentials => 401,
            Self::Forbidden | Self::Restricted(_) => 403,
            Self::TooManyAttempts(_) => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::Transport(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    // The same decoding as every answer's, so the client compiles one JSON reader.
    type Encoder = crate::api::JsonTextEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server this means the request itself could not be decoded: the caller's
        // mistake, so it answers 400 rather than the framework's default 500.
        #[cfg(feature = "ssr")]
        crate::server::ctx::set_status(400);
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Database failures are logged with their cause and reach the user as a generic message:
    /// SQL text and driver details never leave the server.
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut => {
                tracing::warn!("database pool exhausted");
                Self::Unavailable
            }
            other => {
                tracing::error!(error = %other, "database error");
                Self::Internal
            }
        }
    }
}
