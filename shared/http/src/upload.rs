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
                let file_name = field.file_name().map(str::to_string);
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
