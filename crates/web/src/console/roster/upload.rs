//! `POST /console/roster/imports`: a roster file uploaded (CSV or XLSX, up to
//! [`crate::ROSTER_UPLOAD_LIMIT_BYTES`]) is streamed to a staging file, and its import
//! begins as a background job; a file without an ID-number column is refused at once.

use std::io::Write;

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use huiji_app::roster::import::ImportRequest;
use huiji_app::roster::{RosterError, jobs};
use huiji_core::{Occupation, OrgId};

use super::{overview_page, web_error};
use crate::console::{Officer, notice_query};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The form's text fields.
#[derive(Default)]
struct Fields {
    csrf: String,
    source: String,
    occupation: String,
    org: String,
    file_name: String,
}

/// Streams the upload: the text fields, and the file into `path` (its size returned).
async fn receive(form: &mut Multipart, path: &std::path::Path) -> Result<(Fields, u64), WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| WebError::BadRequest(e.to_string());
    let mut fields = Fields::default();
    let mut size = 0u64;
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file") => {
                fields.file_name = field.file_name().unwrap_or("roster").chars().take(120).collect();
                let mut file = std::io::BufWriter::new(
                    std::fs::File::create(path).map_err(|e| WebError::Internal(format!("staging: {e}")))?,
                );
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    size += chunk.len() as u64;
                    file.write_all(&chunk).map_err(|e| WebError::Internal(format!("staging: {e}")))?;
                }
                file.flush().map_err(|e| WebError::Internal(format!("staging: {e}")))?;
            }
            Some(name) => {
                let name = name.to_owned();
                let text = field.text().await.map_err(bad)?;
                match name.as_str() {
                    "csrf" => fields.csrf = text,
                    "source" => fields.source = text,
                    "occupation" => fields.occupation = text,
                    "org" => fields.org = text,
                    _ => {}
                }
            }
            None => {}
        }
    }
    Ok((fields, size))
}

/// What went wrong with the upload, in the page's language (`None`: not the form's fault).
fn problem(lang: Lang, error: &RosterError) -> Option<String> {
    match error {
        RosterError::File(e) => Some(match lang {
            Lang::Zh => e.message_zh(),
            Lang::En => e.to_string(),
        }),
        RosterError::InvalidSource => Some(
            lang.t("请填写名单来源（1至60个字）", "Name the list's source (1 to 60 characters)").to_owned(),
        ),
        _ => None,
    }
}

/// `POST /console/roster/imports`
pub(super) async fn upload(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let (upload, report) = jobs::staging(&state.app).map_err(web_error)?;
    let received = receive(&mut form, &upload).await;
    let (fields, size) = match received {
        Ok(received) => received,
        Err(error) => {
            let _ = std::fs::remove_file(&upload);
            return Err(error);
        }
    };
    let refuse = |error: WebError| {
        let _ = std::fs::remove_file(&upload);
        error
    };
    if !huiji_vault::constant_time_eq(fields.csrf.as_bytes(), officer.csrf.as_bytes()) {
        return Err(refuse(WebError::Forbidden));
    }
    officer.require_act().map_err(refuse)?;
    if size == 0 {
        let _ = std::fs::remove_file(&upload);
        let missing = lang.t("请选择要导入的文件", "Choose a file to import").to_owned();
        return overview_page(&state, lang, &officer, None, None, Some(missing)).await;
    }
    let request = ImportRequest {
        // The officer's own union unless the form names one within the subtree.
        org: Some(fields.org.trim().parse().map_or(officer.org.id, OrgId)),
        source: fields.source,
        file_name: fields.file_name,
        report_name: report.display().to_string(),
        default_occupation: fields.occupation.parse::<Occupation>().ok(),
    };
    let writer =
        std::fs::File::create(&report).map_err(|e| refuse(WebError::Internal(format!("report: {e}"))))?;
    match jobs::spawn(&state.app, &officer.app_actor(), &request, upload, Box::new(writer)).await {
        Ok(_) => {
            let query = notice_query(&state, "import.started");
            Ok(Redirect::to(&format!("/console/roster?{query}")).into_response())
        }
        Err(error) => {
            let _ = std::fs::remove_file(&report);
            match problem(lang, &error) {
                Some(text) => overview_page(&state, lang, &officer, None, None, Some(text)).await,
                None => Err(web_error(error)),
            }
        }
    }
}
