//! Officers in tests: accounts, and a browser-like client with its own cookie jar.

use huiji_app::accounts::passwords;
use huiji_app::ports::OsRandomness;
use huiji_core::{OrgId, Role, Timestamp};
use huiji_store::NewUser;

use crate::support::TestApp;

/// Every test officer's password.
pub const PASSWORD: &str = "correct horse battery";

/// A logged-in officer's browser.
pub struct Console {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: String,
}

/// The CSRF token in a console page.
pub fn csrf_of(page: &str) -> String {
    csrf_field(page).expect("a csrf field")
}

/// The CSRF token in a page, if it has one.
pub fn csrf_field(page: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker)? + marker.len();
    Some(page[start..].chars().take_while(|c| *c != '"').collect())
}

impl TestApp {
    /// Creates an account acting on `org`.
    pub async fn add_officer(&self, username: &str, org: OrgId, role: Role) {
        let hash = passwords::hash(PASSWORD, &OsRandomness).unwrap();
        let user =
            NewUser { username: username.to_owned(), org, role, password_hash: hash, can_reveal: false };
        self.store().create_user(&user, Timestamp(0)).await.unwrap();
    }

    /// A new browser (empty cookie jar) on this app.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Creates an officer at the org with this join code (or the root for `None`) and logs in.
    pub async fn officer(&self, username: &str, join_code: Option<&str>, role: Role) -> Console {
        let org = match join_code {
            Some(code) => self.store().org_by_join_code(code).await.unwrap().unwrap().id,
            None => OrgId(1),
        };
        self.add_officer(username, org, role).await;
        self.login(username, PASSWORD).await.expect("login")
    }

    /// Opens the login form in `http`, as a browser would before posting it: its CSRF
    /// token (its cookie stays in the browser's jar).
    pub async fn login_token(&self, http: &reqwest::Client) -> String {
        let page =
            http.get(format!("{}/console/login", self.base)).send().await.unwrap().text().await.unwrap();
        csrf_field(&page).unwrap_or_default()
    }

    /// Posts the login form from `http` with `token`.
    pub async fn post_login(
        &self,
        http: &reqwest::Client,
        token: &str,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        http.post(format!("{}/console/login", self.base))
            .form(&[("username", username), ("password", password), ("csrf", token)])
            .send()
            .await
            .unwrap()
    }

    /// Logs in; `None` when the console refuses.
    pub async fn login(&self, username: &str, password: &str) -> Option<Console> {
        let http = self.browser();
        let token = self.login_token(&http).await;
        let response = self.post_login(&http, &token, username, password).await;
        if response.status().as_u16() != 303 {
            return None;
        }
        let mut console = Console { base: self.base.clone(), http, csrf: String::new() };
        let (status, page) = console.get("/console/applications").await;
        assert_eq!(status, 200, "{page}");
        console.csrf = csrf_of(&page);
        Some(console)
    }
}

impl Console {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Posts a form with this session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        self.post_raw(path, &fields).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self.http.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}
