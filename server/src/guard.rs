//! Request guards that apply to every route: cross-site request refusal and the security
//! headers every response carries.

use app::api::uploads::UploadAttachment;
use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::ServerFn;

/// Refuses a state-changing request whose `Origin` (or, lacking it, `Referer`) names another
/// site than the one it was sent to. Browsers send `Origin` on every cross-site POST, so a
/// form on another site cannot act with a signed-in user's cookie; clients that send neither
/// header are not browsers and carry no ambient credentials to abuse.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !from_same_origin(request.headers()) {
        tracing::warn!(method = %request.method(), uri = %request.uri(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(request).await
}

/// Upload server functions read a multipart body; one without a multipart content type is
/// refused here, as the server-function layer would fail on it without an answer.
pub async fn multipart_uploads(request: Request, next: Next) -> Response {
    if request.uri().path() != UploadAttachment::PATH {
        return next.run(request).await;
    }
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| multer::parse_boundary(value).is_ok());
    if !multipart {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Send the file as multipart/form-data.").into_response();
    }
    next.run(request).await
}

fn from_same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return true;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok());
    match source {
        None => true,
        Some(source) => authority(source).is_some_and(|authority| authority.eq_ignore_ascii_case(host)),
    }
}

/// `https://example.com:8443/path` → `example.com:8443`.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Headers that cost nothing and close whole classes of attacks: no MIME sniffing, no
/// framing by other sites, no full URLs leaking in `Referer`, and HSTS when served over https.
pub async fn security_headers(https: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("frame-ancestors 'none'; base-uri 'self'; form-action 'self'"));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs.iter().map(|(name, value)| (name.clone(), HeaderValue::from_str(value).unwrap())).collect()
    }

    #[test]
    fn same_site_requests_pass_and_cross_site_ones_do_not() {
        let host = (header::HOST, "help.example.com");
        assert!(from_same_origin(&headers(&[host.clone(), (header::ORIGIN, "https://help.example.com")])));
        assert!(from_same_origin(&headers(&[host.clone(), (header::REFERER, "https://help.example.com/sign-in?x=1")])));
        assert!(from_same_origin(&headers(&[host.clone()])), "non-browser clients send neither");
        assert!(!from_same_origin(&headers(&[host.clone(), (header::ORIGIN, "https://evil.example")])));
        assert!(!from_same_origin(&headers(&[host.clone(), (header::ORIGIN, "https://help.example.com.evil.example")])));
        assert!(!from_same_origin(&headers(&[host, (header::ORIGIN, "null")])));
    }
}
