//! Schema migrations, applied in order and recorded in `PRAGMA user_version`.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: issue 3 — applications and everything around them.
    r#"
    CREATE TABLE applications (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        owner TEXT NOT NULL,
        identity_key TEXT,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX applications_owner ON applications(owner, seq);
    CREATE INDEX applications_identity ON applications(identity_key);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        phone TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE captchas (
        id TEXT PRIMARY KEY,
        answer TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE otps (
        subject TEXT PRIMARY KEY,
        code_hash TEXT,
        expires_at INTEGER NOT NULL DEFAULT 0,
        sent_at INTEGER NOT NULL DEFAULT 0,
        sends_in_window INTEGER NOT NULL DEFAULT 0,
        window_start INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE idempotency (
        principal TEXT NOT NULL,
        key TEXT NOT NULL,
        route TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (principal, key, route)
    );
    CREATE TABLE face_checks (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL REFERENCES applications(id),
        person TEXT NOT NULL,
        method TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE authorisations (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL REFERENCES applications(id),
        signed_at INTEGER
    );
    CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        application_id TEXT NOT NULL REFERENCES applications(id),
        provider TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        status TEXT NOT NULL,
        code_url TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        paid_at INTEGER,
        provider_txn TEXT
    );
    CREATE TABLE password_cards (
        serial TEXT PRIMARY KEY,
        application_id TEXT NOT NULL REFERENCES applications(id),
        password_hash TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0,
        used_at INTEGER
    );
    CREATE TABLE registry (
        uscc TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        legal_rep_name TEXT NOT NULL,
        legal_rep_id_number TEXT NOT NULL,
        status TEXT NOT NULL
    );
    "#,
    // 2: issue 4 — issued certificates and download enrollments.
    r#"
    CREATE TABLE certificates (
        serial TEXT PRIMARY KEY,
        application_id TEXT NOT NULL REFERENCES applications(id),
        family TEXT NOT NULL,
        key_id TEXT NOT NULL,
        pem TEXT NOT NULL,
        status TEXT NOT NULL,
        revoked_at INTEGER,
        reason TEXT,
        not_after INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX certificates_app ON certificates(application_id);
    CREATE INDEX certificates_family_status ON certificates(family, status);
    CREATE TABLE enrollments (
        token_hash TEXT PRIMARY KEY,
        application_id TEXT NOT NULL REFERENCES applications(id),
        card_serial TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    "#,
    // 3: dual certificates — certificate kind and the key-management centre's escrow.
    r#"
    ALTER TABLE certificates ADD COLUMN kind TEXT NOT NULL DEFAULT 'signing';
    CREATE TABLE key_escrow (
        serial TEXT PRIMARY KEY REFERENCES certificates(serial),
        signing_serial TEXT NOT NULL,
        escrowed_key BLOB NOT NULL,
        wrapped_aes_key BLOB NOT NULL,
        wrapped_private_key BLOB NOT NULL
    );
    "#,
    // 4: renewal challenges (proof of possession of the current certificate's key).
    r#"
    CREATE TABLE renewal_challenges (
        id TEXT PRIMARY KEY,
        serial TEXT NOT NULL,
        challenge BLOB NOT NULL,
        expires_at INTEGER NOT NULL
    );
    "#,
    // 5: e-invoices.
    r#"
    CREATE TABLE invoices (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        application_id TEXT NOT NULL REFERENCES applications(id),
        payment_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        tax_number TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        email TEXT NOT NULL,
        issued_at INTEGER NOT NULL
    );
    CREATE INDEX invoices_app ON invoices(application_id);
    "#,
    // 6: unlock requests (SO-PIN based user-PIN reset).
    r#"
    CREATE TABLE unlock_requests (
        id TEXT PRIMARY KEY,
        certificate_serial TEXT NOT NULL,
        token_serial TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        granted_at INTEGER
    );
    "#,
    // 7: issue 12 — an application binds its organisation only once enterprise
    // verification has passed (or the channel needs none), so an unverified stranger
    // cannot block it.
    r#"
    ALTER TABLE applications ADD COLUMN identity_bound INTEGER NOT NULL DEFAULT 0;
    UPDATE applications SET identity_bound = EXISTS (
        SELECT 1 FROM json_each(doc, '$.app.requirements')
        WHERE json_extract(value, '$.kind') = 'enterprise_verification'
          AND json_extract(value, '$.status') IN ('valid', 'not_required'));
    "#,
    // 8: application documents and stored create answers sealed at rest (store/seal.rs).
    // The two facts a query looked up inside the document get their own columns first.
    r#"
    ALTER TABLE applications ADD COLUMN business TEXT;
    ALTER TABLE applications ADD COLUMN renews_serial TEXT;
    UPDATE applications SET business = json_extract(doc, '$.app.business'),
        renews_serial = json_extract(doc, '$.app.certificate_serial');
    CREATE INDEX applications_renews ON applications(renews_serial, status);
    UPDATE applications SET doc = seal('application:' || id, doc);
    UPDATE idempotency SET response =
        seal('idempotency:' || principal || ':' || key || ':' || route, response);
    UPDATE registry SET legal_rep_id_number = seal('registry:' || uscc, legal_rep_id_number);
    "#,
    // 9: issue 13 — the hash-chained audit log (crate::audit). `tag` is the entry's
    // hash sealed with the data key; `audit_head` the newest (seq:hash), sealed, so a
    // cut-off tail shows. The triggers keep the service itself from ever rewriting it.
    r#"
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        actor_serial TEXT,
        point TEXT,
        action TEXT NOT NULL,
        application_id TEXT,
        certificate_serial TEXT,
        token_serial TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        tag BLOB NOT NULL
    );
    CREATE INDEX audit_log_actor ON audit_log(actor, seq);
    CREATE INDEX audit_log_application ON audit_log(application_id, seq);
    CREATE INDEX audit_log_point ON audit_log(point, seq);
    CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 10: issue 13 — acceptance points, their operators (each with the approved
    // application that issues the operator certificate), and operator sessions. Sign-in
    // challenges live in renewal_challenges, marked by their serial column.
    r#"
    CREATE TABLE points (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        province TEXT NOT NULL,
        city TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE operators (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        point_id TEXT NOT NULL REFERENCES points(id),
        roles TEXT NOT NULL,
        status TEXT NOT NULL,
        application_id TEXT NOT NULL UNIQUE REFERENCES applications(id),
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE INDEX operators_point ON operators(point_id);
    CREATE TABLE operator_sessions (
        token_hash TEXT PRIMARY KEY,
        operator_id TEXT NOT NULL REFERENCES operators(id),
        certificate_serial TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX operator_sessions_operator ON operator_sessions(operator_id);
    "#,
    // 11: issue 13 — walk-in cases at a point; who entered or changed each (separation
    // of duties), and the clerk's field checks.
    r#"
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        point_id TEXT NOT NULL REFERENCES points(id),
        application_id TEXT NOT NULL REFERENCES applications(id),
        status TEXT NOT NULL,
        opened_by TEXT NOT NULL REFERENCES operators(id),
        created_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX cases_one_open ON cases(application_id) WHERE status = 'open';
    CREATE INDEX cases_point ON cases(point_id, status, created_at);
    CREATE TABLE case_editors (
        case_id TEXT NOT NULL REFERENCES cases(id),
        operator_id TEXT NOT NULL REFERENCES operators(id),
        PRIMARY KEY (case_id, operator_id)
    );
    CREATE TABLE case_checks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL REFERENCES cases(id),
        field TEXT NOT NULL,
        outcome TEXT NOT NULL,
        operator_id TEXT NOT NULL REFERENCES operators(id),
        at INTEGER NOT NULL
    );
    "#,
    // 12: issue 13 — payments taken at a point's counter (POS slip, cash receipt, or a
    // provider QR payment shown on the customer screen), by operator and case.
    r#"
    CREATE TABLE counter_payments (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(id),
        application_id TEXT NOT NULL REFERENCES applications(id),
        point_id TEXT NOT NULL REFERENCES points(id),
        method TEXT NOT NULL,
        reference TEXT,
        amount_fen INTEGER NOT NULL,
        operator_id TEXT NOT NULL REFERENCES operators(id),
        payment_id TEXT REFERENCES payments(id),
        created_at INTEGER NOT NULL
    );
    CREATE INDEX counter_payments_case ON counter_payments(case_id);
    "#,
    // 13: issue 13 — on-site identity checks at the counter (no identity number stored:
    // it is compared with the application's and dropped).
    r#"
    CREATE TABLE case_identity_checks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL REFERENCES cases(id),
        person TEXT NOT NULL,
        document TEXT NOT NULL,
        copy_document_id TEXT NOT NULL,
        operator_id TEXT NOT NULL REFERENCES operators(id),
        at INTEGER NOT NULL
    );
    CREATE INDEX case_identity_checks_case ON case_identity_checks(case_id);
    "#,
    // 14: issue 13 item 6 — the token made at the counter for a case, and its hand-over.
    r#"
    CREATE TABLE case_tokens (
        case_id TEXT PRIMARY KEY REFERENCES cases(id),
        token_serial TEXT NOT NULL,
        certificate_serial TEXT NOT NULL REFERENCES certificates(serial),
        made_by TEXT NOT NULL REFERENCES operators(id),
        made_at INTEGER NOT NULL,
        handed_over_at INTEGER
    );
    "#,
    // 15: cases opened (or tried) by each operator, for the opening rate limit.
    r#"
    CREATE TABLE case_open_attempts (
        operator_id TEXT NOT NULL REFERENCES operators(id),
        at INTEGER NOT NULL
    );
    CREATE INDEX case_open_attempts_operator ON case_open_attempts(operator_id, at);
    "#,
    // 16: the day's applications, counted for each new order number (next_number).
    r#"
    CREATE INDEX applications_created ON applications(created_at);
    "#,
    // 17: issue 13 item 3 — the order number a clerk types, looked up without unsealing
    // every application (it is no secret: the applicant quotes it).
    r#"
    ALTER TABLE applications ADD COLUMN number TEXT;
    UPDATE applications
       SET number = NULLIF(json_extract(unseal('application:' || id, doc), '$.app.number'), '');
    -- Renewals used to copy their original's number: the original keeps it.
    UPDATE applications SET number = NULL
     WHERE number IS NOT NULL
       AND seq NOT IN (SELECT MIN(seq) FROM applications WHERE number IS NOT NULL GROUP BY number);
    CREATE UNIQUE INDEX applications_number ON applications(number) WHERE number IS NOT NULL;
    "#,
    // 18: issue 13 item 3b — a case whose application was keyed at the counter.
    r#"
    ALTER TABLE cases ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
    "#,
    // 19: issue 14 item 2 — a point's stock of numbered USBKeys. A serial is one physical
    // token, so it is at one point only. `state`: in_stock, made (for `application_id`,
    // by `case_id`), spoiled (`reason`), returned (`reason`). A point may refuse making
    // onto a token outside its stock (`points.stock_required`).
    r#"
    CREATE TABLE stock_tokens (
        serial TEXT PRIMARY KEY,
        point_id TEXT NOT NULL REFERENCES points(id),
        model TEXT NOT NULL,
        state TEXT NOT NULL,
        application_id TEXT REFERENCES applications(id),
        case_id TEXT REFERENCES cases(id),
        reason TEXT,
        received_by TEXT NOT NULL REFERENCES operators(id),
        received_at INTEGER NOT NULL,
        changed_by TEXT REFERENCES operators(id),
        changed_at INTEGER
    );
    CREATE INDEX stock_tokens_point ON stock_tokens(point_id, state, model);
    ALTER TABLE points ADD COLUMN stock_required INTEGER NOT NULL DEFAULT 0;
    "#,
    // 20: issue 14 item 3 — a point's signed daily closes (日结), kept byte for byte as
    // signed and never changed; a later correction is a new row of close_corrections.
    r#"
    CREATE TABLE daily_closes (
        point_id TEXT NOT NULL REFERENCES points(id),
        day TEXT NOT NULL,
        document TEXT NOT NULL,
        document_sha256 TEXT NOT NULL,
        signature BLOB NOT NULL,
        signed_by TEXT NOT NULL REFERENCES operators(id),
        certificate_serial TEXT NOT NULL,
        signed_at INTEGER NOT NULL,
        PRIMARY KEY (point_id, day)
    );
    CREATE TRIGGER daily_closes_no_update BEFORE UPDATE ON daily_closes
        BEGIN SELECT RAISE(ABORT, 'a signed close is never changed'); END;
    CREATE TRIGGER daily_closes_no_delete BEFORE DELETE ON daily_closes
        BEGIN SELECT RAISE(ABORT, 'a signed close is never changed'); END;
    CREATE TABLE close_corrections (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        point_id TEXT NOT NULL,
        day TEXT NOT NULL,
        text TEXT NOT NULL,
        operator_id TEXT NOT NULL REFERENCES operators(id),
        at INTEGER NOT NULL,
        FOREIGN KEY (point_id, day) REFERENCES daily_closes(point_id, day)
    );
    CREATE TRIGGER close_corrections_no_update BEFORE UPDATE ON close_corrections
        BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
    CREATE TRIGGER close_corrections_no_delete BEFORE DELETE ON close_corrections
        BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
    "#,
    // 21: issue 14 item 4 — the model a token reported when it was made on, for the
    // supervisor's numbers by token model (the stock's model wins where there is one).
    r#"
    ALTER TABLE case_tokens ADD COLUMN token_model TEXT;
    "#,
];

pub fn run(conn: &mut Connection) -> rusqlite::Result<()> {
    run_until(conn, MIGRATIONS.len() as i64)
}

fn run_until(conn: &mut Connection, last: i64) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current || version > last {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seal::DataKey;

    /// A database written before sealing (version 7) keeps every row, now sealed, and
    /// the renewal look-up columns are filled from the documents.
    #[test]
    fn version_7_rows_are_sealed_and_still_read() {
        let mut conn = Connection::open_in_memory().unwrap();
        DataKey::derive(b"k").register(&conn).unwrap();
        run_until(&mut conn, 7).unwrap();
        let doc = r#"{"app":{"business":"renewal","certificate_serial":"0a1b","name":"赵法人 110101199003071234"}}"#;
        conn.execute_batch(&format!(
            "INSERT INTO applications (id, owner, status, version, doc, created_at, updated_at)
             VALUES ('app_1', 'p', 'draft', 1, '{doc}', 0, 0);
             INSERT INTO idempotency VALUES ('p', 'k', 'POST /v1/applications', 'h', 201, '{doc}', 0);
             INSERT INTO registry VALUES ('u', 'n', 'r', '110101199003071234', 'active');"
        ))
        .unwrap();
        run(&mut conn).unwrap();
        let (sealed, back, business, serial): (Vec<u8>, String, String, String) = conn
            .query_row(
                "SELECT doc, unseal('application:' || id, doc), business, renews_serial
                 FROM applications",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert!(!sealed.windows(18).any(|w| w == b"110101199003071234"));
        assert_eq!(back, doc);
        assert_eq!((business.as_str(), serial.as_str()), ("renewal", "0a1b"));
        let response: String = conn
            .query_row(
                "SELECT unseal('idempotency:p:k:POST /v1/applications', response) FROM idempotency",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(response, doc);
        let id: String = conn
            .query_row(
                "SELECT unseal('registry:' || uscc, legal_rep_id_number) FROM registry",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(id, "110101199003071234");
    }

    /// Applications written before the number column (version 16) get their order
    /// number from the sealed document; those without one stay NULL (the unique index
    /// holds only real numbers), and so does a renewal that copied its original's.
    #[test]
    fn version_16_rows_get_their_order_number() {
        let mut conn = Connection::open_in_memory().unwrap();
        DataKey::derive(b"k").register(&conn).unwrap();
        run_until(&mut conn, 16).unwrap();
        // app_4 is an old renewal that copied app_1's number.
        for (id, number) in [
            ("app_1", "202612060001"),
            ("app_2", ""),
            ("app_3", ""),
            ("app_4", "202612060001"),
        ] {
            let doc = format!(r#"{{"app":{{"number":"{number}"}}}}"#);
            conn.execute(
                "INSERT INTO applications (id, owner, status, version, doc, created_at, updated_at)
                 VALUES (?1, 'p', 'draft', 1, seal('application:' || ?1, ?2), 0, 0)",
                [id, doc.as_str()],
            )
            .unwrap();
        }
        run(&mut conn).unwrap();
        let numbers: Vec<(String, Option<String>)> = conn
            .prepare("SELECT id, number FROM applications ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            numbers,
            [
                ("app_1".to_owned(), Some("202612060001".to_owned())),
                ("app_2".to_owned(), None),
                ("app_3".to_owned(), None),
                ("app_4".to_owned(), None),
            ]
        );
    }
}
