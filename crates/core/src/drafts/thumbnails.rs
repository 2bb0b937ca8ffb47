//! Thumbnails of uploaded documents, so an upload can be recognised at a glance (the CA
//! keeps the document, not a way to show it). The window makes them from the picked
//! image; they are ID cards and licences, so they are sealed like the fields and go
//! with their draft.

use rusqlite::params;

use super::{DraftId, DraftStore, StoreError};

/// A small image as the window made it: a JPEG or PNG `data:` URL, bounded.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail(String);

/// Large enough for a 240 px JPEG at the quality the window uses, small enough to list.
pub const MAX_THUMBNAIL_BYTES: usize = 64 * 1024;

impl Thumbnail {
    /// Accepts only what the window makes; anything else is dropped by the caller (a
    /// missing thumbnail costs nothing, a hostile one must not reach an `<img>`).
    pub fn parse(url: &str) -> Option<Self> {
        if url.len() > MAX_THUMBNAIL_BYTES {
            return None;
        }
        let data = ["data:image/jpeg;base64,", "data:image/png;base64,"]
            .iter()
            .find_map(|prefix| url.strip_prefix(prefix))?;
        let base64 = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=');
        (!data.is_empty() && data.bytes().all(base64)).then(|| Self(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Thumbnail({} bytes)", self.0.len())
    }
}

fn aad(document_id: &str) -> Vec<u8> {
    format!("thumbnail\0{document_id}").into_bytes()
}

impl DraftStore {
    /// Keeps the thumbnail of `document_id`, uploaded for draft `id` (replacing any).
    pub fn put_thumbnail(
        &self,
        id: &DraftId,
        document_id: &str,
        thumbnail: &Thumbnail,
    ) -> Result<(), StoreError> {
        let sealed = self.key.seal(thumbnail.0.as_bytes(), &aad(document_id))?;
        self.conn().execute(
            "INSERT INTO document_thumbnails (document_id, local_id, sealed) VALUES (?1, ?2, ?3)
             ON CONFLICT (document_id) DO UPDATE SET local_id = excluded.local_id,
                                                    sealed = excluded.sealed",
            params![document_id, id.0, sealed],
        )?;
        Ok(())
    }

    /// The draft's thumbnails by document id; one that no longer opens is left out.
    pub fn thumbnails(&self, id: &DraftId) -> Result<Vec<(String, Thumbnail)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT document_id, sealed FROM document_thumbnails WHERE local_id = ?1")?;
        let rows = stmt.query_map(params![id.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (document_id, sealed) = row?;
            let Ok(plain) = self.key.open(&sealed, &aad(&document_id)) else {
                continue;
            };
            if let Some(t) = std::str::from_utf8(&plain).ok().and_then(Thumbnail::parse) {
                out.push((document_id, t));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_bounded_jpeg_or_png_data_urls_are_thumbnails() {
        assert!(Thumbnail::parse("data:image/jpeg;base64,/9j/4AAQ==").is_some());
        assert!(Thumbnail::parse("data:image/png;base64,iVBORw0K").is_some());
        for bad in [
            "data:image/svg+xml;base64,PHN2Zz4=",
            "data:text/html;base64,PGgxPg==",
            "javascript:alert(1)",
            "data:image/png;base64,",
            "data:image/png;base64,abc\"onerror=x",
        ] {
            assert!(Thumbnail::parse(bad).is_none(), "{bad}");
        }
        let huge = format!("data:image/png;base64,{}", "A".repeat(MAX_THUMBNAIL_BYTES));
        assert!(Thumbnail::parse(&huge).is_none());
    }
}
