//! The database layer on the backend under test (SQLite, or PostgreSQL in CI's second run).

use crate::helpers::TestDb;

#[tokio::test]
async fn migrations_apply_once_and_are_idempotent() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let applied = db.applied_migrations().await.expect("count");
    assert!(applied >= 1);
    db.migrate().await.expect("second migrate is a no-op");
    assert_eq!(db.applied_migrations().await.expect("count"), applied);
    assert!(db.ping().await);
}

#[tokio::test]
async fn a_closed_database_fails_its_ping() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    db.close().await;
    assert!(!db.ping().await);
}
