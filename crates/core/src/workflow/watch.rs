//! Review outcomes for desktop notifications: applications seen in review are
//! remembered locally; when one leaves review, it is reported once.

use std::sync::{Mutex, MutexGuard};

use certdesk_ca_api::application::{Action, Application, ApplicationStatus};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::db::StoreError;

/// A review that finished since the last look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewFinished {
    pub application_id: String,
    /// `approved` / `issued` (passed) or `rejected` (reasons on the application).
    pub status: ApplicationStatus,
    /// Passed and fetched by the applicant with a password card (not mailed on a USBKey).
    pub downloadable: bool,
}

pub struct ReviewWatch {
    conn: Mutex<Connection>,
}

impl ReviewWatch {
    pub(crate) fn on(conn: Connection) -> Self {
        Self {
            conn: Mutex::new(conn),
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes an application's status as seen; one in review is watched from now on.
    pub fn saw(&self, app: &Application) -> Result<(), StoreError> {
        if app.status == ApplicationStatus::InReview {
            self.conn().execute(
                "INSERT OR IGNORE INTO review_watch (application_id, since) VALUES (?1, ?2)",
                params![app.id, app.updated_at],
            )?;
        }
        Ok(())
    }

    pub fn watched(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT application_id FROM review_watch ORDER BY since")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    pub fn forget(&self, application_id: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM review_watch WHERE application_id = ?1",
            params![application_id],
        )?;
        Ok(())
    }

    /// The application's current version: reported (and no longer watched) once it
    /// left review.
    pub fn check(&self, app: &Application) -> Result<Option<ReviewFinished>, StoreError> {
        if app.status == ApplicationStatus::InReview {
            return Ok(None);
        }
        let n = self.conn().execute(
            "DELETE FROM review_watch WHERE application_id = ?1",
            params![app.id],
        )?;
        let finished = matches!(
            app.status,
            ApplicationStatus::Approved
                | ApplicationStatus::Issued
                | ApplicationStatus::Completed
                | ApplicationStatus::Rejected
        );
        Ok((n > 0 && finished).then(|| ReviewFinished {
            application_id: app.id.clone(),
            status: app.status,
            downloadable: app.actions.contains(&Action::Download),
        }))
    }
}
