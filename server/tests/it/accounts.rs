//! Accounts end to end through the router, on both backends: registration and email
//! verification, password resets and changes, staff invitations and roles, and the role ×
//! action matrix over every server function and protected page.

use crate::support;

use app::{
    api::{
        account::{
            CancelAccountErasure, ChangePassword, MyAccount, RegisterCustomer, RequestAccountErasure,
            RequestPasswordReset, ResetPassword, SignOutOtherDevices, VerifyEmail,
        },
        admin::{
            AddTeamMember, ChangeStaffRole, CreateTeam, DeleteMacro, InviteStaff, RemoveTeamMember, RestrictTeam, SaveMacro,
            StaffList, TeamChoices, TeamDirectory,
        },
        agent::{
            ApplyMacro, AssignTicket, InboxFilterChoices, InboxPage, InboxViewCounts, LeaveTicket, MacroList, OpenTicket, SendAgentReply,
            SetTicketPriority, SetTicketStatus, SetTicketTags, TicketPresence,
        },
        auth::WhoAmI,
        customers::{AddCustomerIdentity, MergeCustomers, PreviewMerge, UndoMerge, UpdateCustomer},
        portal::{
            CategoryPage, HelpCenter, NoteArticleRead, NoteSearch, PublishedArticle, RateArticle,
            SearchArticles, SendRequest,
        },
        requests::{MyHistory, MyRequest, MyRequests, RateRequest, ReplyToRequest, SetRequestSolved},
    },
    both_backends,
    server::{accounts, db::Db},
    with_db,
};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use leptos::server_fn::ServerFn;
use support::{
    BEN, BEN_EMAIL, BEN_PASSWORD, app, ben_confirmed, call, call_from, mailed_link, scalar, sign_in, signed_in, signed_in_with,
};
use tower::ServiceExt;

async fn audited(db: &Db, action: &str) -> i64 {
    scalar(db, &format!("select count(*) from audit_log where action = '{action}'")).await
}

async fn who_am_i(app: &axum::Router, cookie: &str) -> serde_json::Value {
    let reply = call(app, WhoAmI::PATH, "", Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

both_backends!(verifying_the_email_joins_the_history_already_tied_to_it, |db: Db| async move {
    let app = app(&db).await;
    // Ben has written to support by email before; he has no account yet.
    let bens_profile =
        scalar(&db, "select customer_id from identities where value = 'ben.carter@example.test'").await;

    let reply = call(&app, RegisterCustomer::PATH, BEN, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.cookie.is_none(), "registering does not sign anyone in");

    // Signed in but unverified, the account sees none of the old history.
    let cookie = signed_in_with(&app, BEN_EMAIL, BEN_PASSWORD).await;
    let me = who_am_i(&app, &cookie).await;
    assert_eq!(me["customer_id"], serde_json::Value::Null);
    assert_eq!(me["email_verified"], false);

    let (page, token) = mailed_link(&db, BEN_EMAIL).await;
    assert_eq!(page, "/verify-email");
    let verified = call(&app, VerifyEmail::PATH, &format!("token={token}"), None).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);

    let me = who_am_i(&app, &cookie).await;
    assert_eq!(me["customer_id"], bens_profile, "the account joined Ben's existing profile");
    assert_eq!(me["email_verified"], true);
    assert_eq!(audited(&db, "auth.email_verified").await, 1);

    let again = call(&app, VerifyEmail::PATH, &format!("token={token}"), None).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("expired or has already been used"), "{}", again.body);
});

both_backends!(registering_a_taken_address_answers_the_same_and_changes_nothing, |db: Db| async move {
    let app = app(&db).await;
    let fresh = call(&app, RegisterCustomer::PATH, BEN, None).await;
    let taken = call(
        &app,
        RegisterCustomer::PATH,
        "display_name=Someone&email=customer@northwind.test&password=tide+pool+lantern",
        None,
    )
    .await;
    assert_eq!((taken.status, &taken.body), (fresh.status, &fresh.body), "no way to tell them apart");
    assert_eq!(scalar(&db, "select count(*) from users where email = 'customer@northwind.test'").await, 1);
    assert_eq!(sign_in(&app, "customer@northwind.test", "tide pool lantern").await.status, StatusCode::UNAUTHORIZED);
    // The owner hears about it, and the mail carries no link that could change anything.
    let mail = accounts::pending_mail(&db, Some("customer@northwind.test")).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("already have"), "{}", mail[0].subject);
    assert!(!mail[0].body_text.contains("token="));
});

both_backends!(registration_explains_bad_input_and_sends_nothing, |db: Db| async move {
    let app = app(&db).await;
    for (form, says) in [
        ("display_name=Ben&email=ben@example.test&password=short", "at least 10 characters"),
        ("display_name=Ben&email=ben%40&password=tide+pool+lantern", "not a valid email address"),
        ("display_name=+&email=ben@example.test&password=tide+pool+lantern", "name of 1 to 100"),
        ("display_name=Ben&email=ben@example.test&password=password123", "most common"),
    ] {
        let reply = call(&app, RegisterCustomer::PATH, form, None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(reply.body.contains(says), "{form}: {}", reply.body);
    }
    assert!(accounts::pending_mail(&db, None).await.unwrap().is_empty());
});

/// Waits for the reset mail, which is queued in the background so that the answer takes the
/// same time whether or not the account exists.
async fn reset_link(db: &Db, to: &str) -> String {
    for _ in 0..100 {
        if !accounts::pending_mail(db, Some(to)).await.unwrap().is_empty() {
            let (page, token) = mailed_link(db, to).await;
            assert_eq!(page, "/reset-password");
            return token;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no reset mail to {to}");
}

both_backends!(a_reset_link_sets_the_password_once_and_ends_every_session, |db: Db| async move {
    let app = app(&db).await;
    let laptop = signed_in(&app, "agent@northwind.test").await;

    let unknown = call(&app, RequestPasswordReset::PATH, "email=nobody@northwind.test", None).await;
    let known = call(&app, RequestPasswordReset::PATH, "email=Agent@Northwind.test", None).await;
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    let token = reset_link(&db, "agent@northwind.test").await;
    assert!(accounts::pending_mail(&db, Some("nobody@northwind.test")).await.unwrap().is_empty());

    // A refused password leaves the link usable.
    let weak = call(&app, ResetPassword::PATH, &format!("token={token}&password=short"), None).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reset = call(&app, ResetPassword::PATH, &format!("token={token}&password=new+harbour+light"), None).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);

    assert_eq!(who_am_i(&app, &laptop).await, serde_json::Value::Null, "the old session ended");
    assert_eq!(sign_in(&app, "agent@northwind.test", "demo-password").await.status, StatusCode::UNAUTHORIZED);
    signed_in_with(&app, "agent@northwind.test", "new harbour light").await;

    let reused = call(&app, ResetPassword::PATH, &format!("token={token}&password=another+good+one"), None).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(audited(&db, "auth.password_reset").await, 1);
});

both_backends!(expired_and_wrong_kind_links_are_refused, |db: Db| async move {
    let app = app(&db).await;
    call(&app, RegisterCustomer::PATH, BEN, None).await;
    let (_, verify_token) = mailed_link(&db, BEN_EMAIL).await;
    call(&app, RequestPasswordReset::PATH, "email=agent@northwind.test", None).await;
    let reset_token = reset_link(&db, "agent@northwind.test").await;

    // Each link does only its own job.
    let crossed = call(&app, VerifyEmail::PATH, &format!("token={reset_token}"), None).await;
    assert_eq!(crossed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let crossed = call(&app, ResetPassword::PATH, &format!("token={verify_token}&password=tide+pool+lantern"), None).await;
    assert_eq!(crossed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forged = call(&app, VerifyEmail::PATH, "token=made-up", None).await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);

    with_db!(&db, |pool| {
        sqlx::query("update account_tokens set expires_at = created_at").execute(pool).await.unwrap();
    });
    let expired = call(&app, VerifyEmail::PATH, &format!("token={verify_token}"), None).await;
    assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(expired.body.contains("expired"), "{}", expired.body);
    assert_eq!(scalar(&db, "select count(*) from users where email_verified_at is null").await, 1);
});

both_backends!(changing_the_password_keeps_this_device_and_ends_the_others, |db: Db| async move {
    let app = app(&db).await;
    let here = signed_in(&app, "agent@northwind.test").await;
    let elsewhere = signed_in(&app, "agent@northwind.test").await;

    let wrong = call(&app, ChangePassword::PATH, "current_password=guess&new_password=new+harbour+light", Some(&here)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("current password"), "{}", wrong.body);

    let changed = call(
        &app,
        ChangePassword::PATH,
        "current_password=demo-password&new_password=new+harbour+light",
        Some(&here),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let here = changed.cookie.expect("this device gets a new session id");
    assert_eq!(who_am_i(&app, &here).await["display_name"], "Sam Okafor");
    assert_eq!(who_am_i(&app, &elsewhere).await, serde_json::Value::Null);
    signed_in_with(&app, "agent@northwind.test", "new harbour light").await;
    assert_eq!(audited(&db, "auth.password_changed").await, 1);
    let notices = accounts::pending_mail(&db, Some("agent@northwind.test")).await.unwrap();
    assert!(notices.iter().any(|mail| mail.subject.contains("password was changed")), "the owner is told");
});

both_backends!(signing_out_other_devices_keeps_only_this_one, |db: Db| async move {
    let app = app(&db).await;
    let here = signed_in(&app, "customer@northwind.test").await;
    let elsewhere = signed_in(&app, "customer@northwind.test").await;
    let reply = call(&app, SignOutOtherDevices::PATH, "", Some(&here)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let here = reply.cookie.expect("a new session id");
    assert_eq!(who_am_i(&app, &here).await["email"], "customer@northwind.test");
    assert_eq!(who_am_i(&app, &elsewhere).await, serde_json::Value::Null);
    assert_eq!(audited(&db, "auth.signed_out_other_devices").await, 1);

    // The account page lists where the account signed in, failures included.
    sign_in(&app, "customer@northwind.test", "a wrong guess").await;
    let account = call(&app, MyAccount::PATH, "", Some(&here)).await;
    let overview: serde_json::Value = serde_json::from_str(&account.body).unwrap();
    let sign_ins = overview["recent_sign_ins"].as_array().unwrap();
    assert_eq!(sign_ins.len(), 3);
    assert_eq!(sign_ins[0]["succeeded"], false, "newest first");
    assert_eq!(sign_ins[0]["address"], "127.0.0.1");
});

both_backends!(invited_staff_choose_their_own_password, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let invite = "display_name=Lee+Wong&email=lee@northwind.test&role=supervisor";
    let invited = call(&app, InviteStaff::PATH, invite, Some(&admin)).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let member: serde_json::Value = serde_json::from_str(&invited.body).unwrap();
    assert_eq!(member["invitation_pending"], true);
    assert_eq!(member["role"], "supervisor");

    let duplicate = call(&app, InviteStaff::PATH, invite, Some(&admin)).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let customer_role = call(&app, InviteStaff::PATH, "display_name=X&email=x@northwind.test&role=customer", Some(&admin)).await;
    assert_eq!(customer_role.status, StatusCode::UNPROCESSABLE_ENTITY);

    let (page, token) = mailed_link(&db, "lee@northwind.test").await;
    assert_eq!(page, "/reset-password");
    let chosen = call(&app, ResetPassword::PATH, &format!("token={token}&password=quiet+river+stone"), None).await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
    let lee = signed_in_with(&app, "lee@northwind.test", "quiet river stone").await;
    assert_eq!(who_am_i(&app, &lee).await["role"], "supervisor");

    let staff = call(&app, StaffList::PATH, "", Some(&admin)).await;
    let staff: serde_json::Value = serde_json::from_str(&staff.body).unwrap();
    let lee = staff.as_array().unwrap().iter().find(|m| m["email"] == "lee@northwind.test").unwrap();
    assert_eq!(lee["invitation_pending"], false);
    assert_eq!(audited(&db, "staff.invited").await, 1);
});

both_backends!(a_role_change_is_audited_and_ends_the_persons_sessions, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let agent_id = scalar(&db, "select id from users where email = 'agent@northwind.test'").await;
    let admin_id = scalar(&db, "select id from users where email = 'admin@northwind.test'").await;

    let changed = call(&app, ChangeStaffRole::PATH, &format!("user_id={agent_id}&role=supervisor"), Some(&admin)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(who_am_i(&app, &agent).await, serde_json::Value::Null, "signed out to pick up the new role");
    let again = signed_in(&app, "agent@northwind.test").await;
    assert_eq!(who_am_i(&app, &again).await["role"], "supervisor");
    let entry = with_db!(&db, |pool| sqlx::query_scalar::<_, String>(
        "select cast(details as text) from audit_log where action = 'auth.role_changed'"
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert!(entry.contains("\"from\"") && entry.contains("agent") && entry.contains("supervisor"), "{entry}");

    let own = call(&app, ChangeStaffRole::PATH, &format!("user_id={admin_id}&role=agent"), Some(&admin)).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let customer_id = scalar(&db, "select id from users where email = 'customer@northwind.test'").await;
    let customer = call(&app, ChangeStaffRole::PATH, &format!("user_id={customer_id}&role=admin"), Some(&admin)).await;
    assert_eq!(customer.status, StatusCode::NOT_FOUND, "customers are not staff to promote");
});

/// A ticket of Ana Silva, the demo customer behind customer@northwind.test.
const ANAS_TICKET: &str = "select t.id from tickets t join users u on u.customer_id = t.customer_id
     where u.email = 'customer@northwind.test' order by t.id limit 1";

const WHO: [&str; 5] = ["anonymous", "customer", "agent", "supervisor", "admin"];

// Each role's answer from each server function: 200 allowed, 401 not signed in, 403
// forbidden, 422 allowed but the input (deliberately wrong here) refused. Every server
// function in the product is listed; a new one must be added here.
both_backends!(every_server_function_answers_each_role_as_it_should, |db: Db| async move {
    let app = app(&db).await;
    let agent_id = scalar(&db, "select id from users where email = 'agent@northwind.test'").await;
    let anas_ticket = scalar(&db, ANAS_TICKET).await;
    let escalate = scalar(&db, "select id from macros where title = 'Escalate to billing'").await;
    let reset_steps = scalar(&db, "select id from macros where title = 'Password reset steps'").await;
    let ana = scalar(&db, "select customer_id from users where email = 'customer@northwind.test'").await;
    let billing = scalar(&db, "select id from teams where name = 'Billing'").await;
    let mut cookies = vec![None];
    for role in &WHO[1..] {
        cookies.push(Some(signed_in(&app, &format!("{role}@northwind.test")).await));
    }
    let rules: Vec<(&str, String, [u16; 5])> = vec![
        (HelpCenter::PATH, String::new(), [200; 5]),
        (SearchArticles::PATH, "query=refund".into(), [200; 5]),
        (PublishedArticle::PATH, "slug=track-your-order".into(), [200; 5]),
        (CategoryPage::PATH, "slug=billing".into(), [200; 5]),
        (NoteArticleRead::PATH, "slug=track-your-order".into(), [200; 5]),
        (NoteSearch::PATH, "query=refund&results=2".into(), [200; 5]),
        // Staff are not readers: their votes would skew what the content team sees.
        (RateArticle::PATH, "slug=track-your-order&helpful=true&comment=&deflected=false".into(), [200, 200, 422, 422, 422]),
        (
            SendRequest::PATH,
            "subject=Help&description=Please&topic=&name=N&email=visitor-{who}@example.test&request_key=".into(),
            [200, 200, 403, 403, 403],
        ),
        (WhoAmI::PATH, String::new(), [200; 5]),
        (RegisterCustomer::PATH, "display_name=N&email=new-{who}@example.test&password=tide+pool+lantern".into(), [200; 5]),
        (VerifyEmail::PATH, "token=made-up".into(), [422; 5]),
        (RequestPasswordReset::PATH, "email=someone@example.test".into(), [200; 5]),
        (ResetPassword::PATH, "token=made-up&password=tide+pool+lantern".into(), [422; 5]),
        (InboxPage::PATH, "query[view]=all".into(), [401, 403, 200, 200, 200]),
        (InboxViewCounts::PATH, String::new(), [401, 403, 200, 200, 200]),
        (InboxFilterChoices::PATH, String::new(), [401, 403, 200, 200, 200]),
        (OpenTicket::PATH, format!("ticket_id={anas_ticket}"), [401, 403, 200, 200, 200]),
        (MyRequests::PATH, String::new(), [401, 200, 403, 403, 403]),
        (MyRequest::PATH, format!("ticket_id={anas_ticket}"), [401, 200, 403, 403, 403]),
        (ReplyToRequest::PATH, format!("ticket_id={anas_ticket}&body=Thanks"), [401, 200, 403, 403, 403]),
        (MyHistory::PATH, String::new(), [401, 200, 403, 403, 403]),
        (SetRequestSolved::PATH, format!("ticket_id={anas_ticket}&solved=false"), [401, 200, 403, 403, 403]),
        // Allowed, and refused as input: the request is not solved.
        (RateRequest::PATH, format!("ticket_id={anas_ticket}&csat=5&ces=7&comment="), [401, 422, 403, 403, 403]),
        (
            SendAgentReply::PATH,
            format!("ticket_id={anas_ticket}&body=Checked&channel=portal&internal=true"),
            [401, 403, 200, 200, 200],
        ),
        (SetTicketStatus::PATH, format!("ticket_id={anas_ticket}&status=open"), [401, 403, 200, 200, 200]),
        (SetTicketPriority::PATH, format!("ticket_id={anas_ticket}&priority=high"), [401, 403, 200, 200, 200]),
        (AssignTicket::PATH, format!("ticket_id={anas_ticket}&assignee_id={agent_id}"), [401, 403, 200, 200, 200]),
        (SetTicketTags::PATH, format!("ticket_id={anas_ticket}&tags=vip"), [401, 403, 200, 200, 200]),
        (TicketPresence::PATH, format!("ticket_id={anas_ticket}&typing=true"), [401, 403, 200, 200, 200]),
        (LeaveTicket::PATH, format!("ticket_id={anas_ticket}"), [401, 403, 200, 200, 200]),
        (MacroList::PATH, String::new(), [401, 403, 200, 200, 200]),
        (ApplyMacro::PATH, format!("ticket_id={anas_ticket}&macro_id={escalate}"), [401, 403, 200, 200, 200]),
        (SaveMacro::PATH, "fields[title]=Thanks+{who}&fields[body]=Thanks!".into(), [401, 403, 403, 403, 200]),
        (DeleteMacro::PATH, format!("macro_id={reset_steps}"), [401, 403, 403, 403, 200]),
        (TeamChoices::PATH, String::new(), [401, 403, 403, 403, 200]),
        (TeamDirectory::PATH, String::new(), [401, 403, 403, 403, 200]),
        (CreateTeam::PATH, "name=Team+{who}".into(), [401, 403, 403, 403, 200]),
        (AddTeamMember::PATH, format!("team_id={billing}&user_id={agent_id}"), [401, 403, 403, 403, 200]),
        (RemoveTeamMember::PATH, format!("team_id={billing}&user_id={agent_id}"), [401, 403, 403, 403, 200]),
        (RestrictTeam::PATH, format!("team_id={billing}&restricted=false"), [401, 403, 403, 403, 200]),
        (
            UpdateCustomer::PATH,
            format!(r#"{{"customer_id":{ana},"display_name":"Ana Silva","tier":"premium","attributes":[{{"name":"plan","value":"Pro"}}]}}"#),
            [401, 403, 200, 200, 200],
        ),
        (AddCustomerIdentity::PATH, format!("customer_id={ana}&kind=twitter&value=ana_{{who}}"), [401, 403, 200, 200, 200]),
        (PreviewMerge::PATH, format!("customer_id={ana}&duplicate=nobody%40example.test"), [401, 403, 422, 422, 422]),
        // Allowed, and refused as input: a profile cannot be merged into itself.
        (MergeCustomers::PATH, format!("customer_id={ana}&source_id={ana}"), [401, 403, 422, 422, 422]),
        (UndoMerge::PATH, "merge_id=999999".into(), [401, 403, 404, 404, 404]),
        (MyAccount::PATH, String::new(), [401, 200, 200, 200, 200]),
        (ChangePassword::PATH, "current_password=guess&new_password=tide+pool+lantern".into(), [401, 422, 422, 422, 422]),
        (StaffList::PATH, String::new(), [401, 403, 403, 403, 200]),
        (InviteStaff::PATH, "display_name=N&email=invitee-{who}@northwind.test&role=agent".into(), [401, 403, 403, 403, 200]),
        (ChangeStaffRole::PATH, format!("user_id={agent_id}&role=agent"), [401, 403, 403, 403, 200]),
        (CancelAccountErasure::PATH, String::new(), [401, 422, 403, 403, 403]),
        (RequestAccountErasure::PATH, "password=wrong-password".into(), [401, 422, 403, 403, 403]),
        // Last: it gives the caller's session a new id.
        (SignOutOtherDevices::PATH, String::new(), [401, 200, 200, 200, 200]),
    ];
    for (path, form, expected) in &rules {
        for (index, who) in WHO.iter().enumerate() {
            // One client address per role, as five people on five machines.
            let ip = [10, 0, 0, index as u8 + 1];
            let form = form.replace("{who}", who);
            let reply = call_from(&app, ip, path, &form, cookies[index].as_deref()).await;
            assert_eq!(reply.status.as_u16(), expected[index], "{who} → {path}: {}", reply.body);
        }
    }
});

both_backends!(protected_pages_send_each_role_where_it_belongs, |db: Db| async move {
    let app = app(&db).await;
    let mut cookies = vec![None];
    for role in &WHO[1..] {
        cookies.push(Some(signed_in(&app, &format!("{role}@northwind.test")).await));
    }
    for (page, expected) in [
        ("/agent", [302, 403, 200, 200, 200]),
        ("/admin", [302, 403, 403, 403, 200]),
        ("/admin/teams", [302, 403, 403, 403, 200]),
        ("/admin/macros", [302, 403, 403, 403, 200]),
        ("/account", [302, 200, 200, 200, 200]),
    ] {
        for (index, who) in WHO.iter().enumerate() {
            let mut request = Request::get(page).header(header::ACCEPT, "text/html");
            if let Some(cookie) = &cookies[index] {
                request = request.header(header::COOKIE, cookie);
            }
            let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(response.status().as_u16(), expected[index], "{who} → {page}");
            if expected[index] == 302 {
                assert_eq!(response.headers()[header::LOCATION], format!("/sign-in?next={page}"));
            }
        }
    }
});

both_backends!(pages_allow_only_their_own_scripts, |db: Db| async move {
    let app = app(&db).await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = app.clone().oneshot(Request::get("/sign-in").body(Body::empty()).unwrap()).await.unwrap();
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap().to_owned();
        let html = support::body_text(response).await;
        // Every inline script carries this response's nonce.
        let scripts: Vec<&str> = html.split("<script").skip(1).map(|tag| tag.split('>').next().unwrap()).collect();
        assert!(!scripts.is_empty());
        for tag in scripts {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}> has no nonce");
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");
});

// IDOR: a customer reaches another customer's records through no id. Every server function
// that takes an id is tried with the other customer's ids; the list grows with the endpoints.
both_backends!(a_customer_reaches_nothing_of_another_customer_by_id, |db: Db| async move {
    let app = app(&db).await;
    let ben = ben_confirmed(&app, &db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let ana_user = scalar(&db, "select id from users where email = 'customer@northwind.test'").await;

    // Ben's own account page holds nothing of Ana's.
    let mine = call(&app, MyAccount::PATH, "", Some(&ben)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(!mine.body.contains("customer@northwind.test") && !mine.body.contains("Ana"), "{}", mine.body);

    // Ana's ticket, asked for by Ben, answers as if it did not exist.
    let anas_ticket = scalar(&db, ANAS_TICKET).await;
    let reply = call(&app, MyRequest::PATH, &format!("ticket_id={anas_ticket}"), Some(&ben)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    assert_eq!(reply.body, "\"NotFound\"");
    let missing = call(&app, MyRequest::PATH, "ticket_id=999999", Some(&ben)).await;
    assert_eq!((missing.status, missing.body), (reply.status, reply.body), "taken and missing ids look alike");
    let bens = call(&app, MyRequests::PATH, "", Some(&ben)).await;
    assert!(!bens.body.contains("INV-2291"), "{}", bens.body);

    let intruding = call(&app, ReplyToRequest::PATH, &format!("ticket_id={anas_ticket}&body=hi"), Some(&ben)).await;
    assert_eq!(intruding.status, StatusCode::NOT_FOUND, "{}", intruding.body);

    for (path, form) in [
        (ChangeStaffRole::PATH, format!("user_id={ana_user}&role=agent")),
        (InboxPage::PATH, "query[view]=all".to_owned()),
        (StaffList::PATH, String::new()),
    ] {
        let reply = call(&app, path, &form, Some(&ben)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}: {}", reply.body);
        assert!(!reply.body.contains("Ana") && !reply.body.contains("INV-2291"), "{path}: {}", reply.body);
    }
    assert_eq!(who_am_i(&app, &ana).await["role"], "customer", "Ana's account is unchanged");
});
