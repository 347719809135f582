//! Workbook uploads: the raw file (an Excel/ODS type or `application/octet-stream`) or
//! `multipart/form-data` with one part, named `file`. At most 5 MB (413 beyond).

use crate::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use provrum_rules::Text;

/// The upload limit: the workbook reader's own, so the two can never disagree.
pub fn max_upload() -> usize {
    provrum_workbook::Limits::default().max_file_bytes
}

/// [`max_upload`] in whole megabytes (MiB), as messages and the HTTP document say it.
pub fn max_upload_mb() -> usize {
    max_upload() / (1024 * 1024)
}

/// The body limit for upload routes: the file plus room for multipart framing.
pub fn upload_body_limit() -> usize {
    max_upload() + 64 * 1024
}

/// The content types an upload may have besides `multipart/form-data`.
pub const ACCEPTED: [&str; 6] = [
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/octet-stream",
    "application/zip",
];

/// At most this many workbooks are checked at once in one process: a check of a 5 MB workbook
/// peaks at about 62 MiB, so twenty at once took a local server from 63 to 335 MB. Further
/// uploads wait for a slot up to [`CHECK_WAIT`], then get 503 with `Retry-After`.
pub const CONCURRENT_CHECKS: usize = 4;

/// How long an upload waits for a check slot.
pub const CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The process's check slots.
static CHECK_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_CHECKS);

/// A slot to check a workbook in: held while the check runs, or `ApiError::busy` when none came
/// free within `wait`.
pub async fn check_slot(
    wait: std::time::Duration,
) -> Result<tokio::sync::SemaphorePermit<'static>, ApiError> {
    match tokio::time::timeout(wait, CHECK_SLOTS.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) | Err(_) => {
            tracing::warn!(slots = CONCURRENT_CHECKS, "every check slot is taken");
            Err(ApiError::busy())
        }
    }
}

/// The longest file name kept with an upload, in characters.
pub const FILE_NAME_MAX: usize = 200;

/// An upload's file name as it is kept and shown: its last path segment, without control
/// characters or the bidirectional controls that make a name read as something else
/// (`\u{202E}` turns `xlsx.exe` around), trimmed and cut to [`FILE_NAME_MAX`] characters;
/// `None` when nothing is left.
pub fn clean_file_name(name: &str) -> Option<String> {
    let bidi = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last
        .chars()
        .filter(|c| !c.is_control() && !bidi(*c))
        .collect();
    let kept: String = kept.trim().chars().take(FILE_NAME_MAX).collect();
    let kept = kept.trim_end();
    (!kept.is_empty()).then(|| kept.to_string())
}

/// An uploaded workbook.
pub struct Upload {
    pub bytes: Bytes,
    pub file_name: Option<String>,
}

fn too_large_or(e: impl std::fmt::Display, status: axum::http::StatusCode) -> ApiError {
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large()
    } else {
        ApiError::bad_request(Text::new(
            format!("Filen kunde inte tas emot: {e}."),
            format!("The file could not be received: {e}."),
        ))
    }
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Upload, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_ascii_lowercase();
        let upload = if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(request, state)
                .await
                .map_err(|e| too_large_or(&e, e.status()))?;
            let mut found = None;
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| too_large_or(&e, e.status()))?
            {
                // One part, named file: a form with anything else is not what was meant.
                if field.name() != Some("file") || found.is_some() {
                    return Err(ApiError::bad_request(Text::new(
                        "Formuläret ska ha en enda del, som heter file.",
                        "The form should have one part, named file.",
                    )));
                }
                let file_name = field.file_name().and_then(clean_file_name);
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| too_large_or(&e, e.status()))?;
                found = Some(Upload { bytes, file_name });
            }
            found.ok_or_else(|| {
                ApiError::bad_request(Text::new(
                    "Formuläret saknar en del som heter file.",
                    "The form has no part named file.",
                ))
            })?
        } else {
            let essence = content_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            if !ACCEPTED.contains(&essence.as_str()) {
                return Err(ApiError::unsupported_media(Text::new(
                    format!("Typen {essence} är inte en arbetsbok; skicka .xlsx, .xls eller .ods."),
                    format!("The type {essence} is not a workbook; send .xlsx, .xls or .ods."),
                )));
            }
            let bytes = Bytes::from_request(request, state)
                .await
                .map_err(|e| too_large_or(&e, e.status()))?;
            Upload {
                bytes,
                file_name: None,
            }
        };
        if upload.bytes.len() > max_upload() {
            return Err(ApiError::too_large());
        }
        Ok(upload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_check_beyond_the_cap_waits_then_is_told_to_come_back() {
        let taken: Vec<_> = {
            let mut held = Vec::new();
            for _ in 0..CONCURRENT_CHECKS {
                held.push(check_slot(CHECK_WAIT).await.expect("a free slot"));
            }
            held
        };
        let refused = check_slot(std::time::Duration::from_millis(50))
            .await
            .expect_err("no slot free");
        assert_eq!(
            refused.problem().status,
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        );
        drop(taken);
        assert!(check_slot(CHECK_WAIT).await.is_ok(), "a slot is free again");
    }

    #[test]
    fn a_file_name_is_bounded_and_reads_as_it_is() {
        assert_eq!(
            clean_file_name("budget.xlsx").as_deref(),
            Some("budget.xlsx")
        );
        assert_eq!(
            clean_file_name("C:\\fakepath\\budget.xlsx").as_deref(),
            Some("budget.xlsx")
        );
        assert_eq!(
            clean_file_name("rapport\u{202E}xslx.exe").as_deref(),
            Some("rapportxslx.exe")
        );
        assert_eq!(
            clean_file_name("a\u{0}b\nc\u{2067}d").as_deref(),
            Some("abcd")
        );
        assert_eq!(clean_file_name(" \u{202E} "), None);
        let long = "å".repeat(5_115_904);
        let kept = clean_file_name(&long).expect("kept");
        assert_eq!(kept.chars().count(), FILE_NAME_MAX);
    }
}
