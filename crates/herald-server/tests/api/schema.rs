//! The two backends' migrations must build the same schema where the shared
//! SQL (`herald_store::sql`) reads and writes it: the same tables, columns
//! (of matching kind and nullability), primary keys, unique keys and named
//! indexes. What only one backend has is listed in `OWN`, with the reason.

use std::collections::BTreeSet;

use sqlx::Row;

use crate::helpers::*;

/// Schema items only one backend has, and why.
const OWN: &[(&str, &str)] = &[];

/// One fact about a schema, as text both backends can be compared on.
/// SQLite stores booleans as integers, so both call them `integer`.
type Schema = BTreeSet<String>;

fn kind(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t == "boolean" {
        "integer"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else {
        "other"
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let mut out = Schema::new();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(&pool)
            .await
            .unwrap();
    for table in tables {
        out.insert(format!("table {table}"));
        let cols = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY pk, cid")
            .bind(&table)
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut pk = Vec::new();
        for c in &cols {
            let (name, ty, not_null, in_pk): (String, String, bool, i64) = (c.get(0), c.get(1), c.get(2), c.get(3));
            let null = if not_null || in_pk > 0 { "not null" } else { "null" };
            out.insert(format!("column {table}.{name} {} {null}", kind(&ty)));
            if in_pk > 0 {
                pk.push(name);
            }
        }
        out.insert(format!("primary key {table}({})", pk.join(",")));
        let indexes = sqlx::query("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
            .bind(&table)
            .fetch_all(&pool)
            .await
            .unwrap();
        for ix in &indexes {
            let (name, unique, origin, partial): (String, bool, String, bool) =
                (ix.get(0), ix.get(1), ix.get(2), ix.get(3));
            let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&name)
                .fetch_all(&pool)
                .await
                .unwrap();
            out.insert(index_fact(&table, &name, &origin, unique, partial, &cols.join(",")));
        }
    }
    pool.close().await;
    out
}

async fn postgres_schema(url: &str) -> Schema {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let mut out = Schema::new();
    let cols = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO'
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for c in &cols {
        let (table, name, ty, not_null): (String, String, String, bool) = (c.get(0), c.get(1), c.get(2), c.get(3));
        out.insert(format!("table {table}"));
        let null = if not_null { "not null" } else { "null" };
        out.insert(format!("column {table}.{name} {} {null}", kind(&ty)));
    }
    let indexes = sqlx::query(
        "SELECT t.relname::text, i.relname::text, ix.indisunique, ix.indisprimary, ix.indpred IS NOT NULL,
                EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid),
                (SELECT string_agg(a.attname::text, ',' ORDER BY k.n)
                 FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
         FROM pg_index ix
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         WHERE ns.nspname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for ix in &indexes {
        let (table, name, unique, primary, partial, by_constraint, cols): (
            String,
            String,
            bool,
            bool,
            bool,
            bool,
            String,
        ) = (ix.get(0), ix.get(1), ix.get(2), ix.get(3), ix.get(4), ix.get(5), ix.get(6));
        let origin = if primary {
            "pk"
        } else if by_constraint {
            "u"
        } else {
            "c"
        };
        out.insert(index_fact(&table, &name, origin, unique, partial, &cols));
    }
    pool.close().await;
    out
}

/// Named indexes compare by name; those a key constraint made, by columns
/// (each database names them its own way).
fn index_fact(table: &str, name: &str, origin: &str, unique: bool, partial: bool, cols: &str) -> String {
    match origin {
        "pk" => format!("primary key {table}({cols})"),
        "u" => format!("unique {table}({cols})"),
        _ => {
            let unique = if unique { "unique " } else { "" };
            let partial = if partial { " partial" } else { "" };
            format!("{unique}index {name} on {table}({cols}){partial}")
        }
    }
}

/// What one schema has and the other lacks, less what `OWN` allows.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let own = |backend: &str, item: &str| OWN.iter().any(|(b, i)| *b == backend && *i == item);
    let mut out = Vec::new();
    out.extend(sqlite.difference(postgres).filter(|i| !own("sqlite", i)).map(|i| format!("only on SQLite: {i}")));
    out.extend(postgres.difference(sqlite).filter(|i| !own("postgres", i)).map(|i| format!("only on PostgreSQL: {i}")));
    out
}

/// Both stores migrated from empty, as `herald serve` does.
async fn both_schemas() -> Option<(TestApp, Schema, TestApp, Schema)> {
    if !postgres_available().await {
        return None;
    }
    let lite = BACKEND.scope(Backend::Sqlite, TestApp::spawn()).await;
    let pg = BACKEND.scope(Backend::Postgres, TestApp::spawn()).await;
    let (a, b) = (sqlite_schema(&lite.db.url).await, postgres_schema(&pg.db.url).await);
    Some((lite, a, pg, b))
}

#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let Some((lite, sqlite, pg, postgres)) = both_schemas().await else { return };
    assert!(sqlite.contains("index deliveries_ready on deliveries(endpoint_id,due_at) partial"), "{sqlite:#?}");
    assert!(sqlite.contains("unique applications(uid)"), "{sqlite:#?}");
    assert!(postgres.contains("column endpoints.disabled integer not null"), "{postgres:#?}");
    assert_eq!(differences(&sqlite, &postgres), Vec::<String>::new());
    for (backend, item) in OWN {
        let schema = if *backend == "sqlite" { &sqlite } else { &postgres };
        assert!(schema.contains(*item), "OWN names `{item}`, which {backend} no longer has");
    }
    lite.stop().await;
    pg.stop().await;
}

#[tokio::test]
async fn a_column_added_to_one_backend_only_is_a_difference() {
    let Some((lite, _, pg, postgres)) = both_schemas().await else { return };
    let pool = sqlx::SqlitePool::connect(&lite.db.url).await.unwrap();
    sqlx::query("ALTER TABLE endpoints ADD COLUMN rate_limit INTEGER").execute(&pool).await.unwrap();
    sqlx::query("CREATE INDEX endpoints_rate ON endpoints(rate_limit)").execute(&pool).await.unwrap();
    pool.close().await;
    let sqlite = sqlite_schema(&lite.db.url).await;
    assert_eq!(
        differences(&sqlite, &postgres),
        vec![
            "only on SQLite: column endpoints.rate_limit integer null".to_owned(),
            "only on SQLite: index endpoints_rate on endpoints(rate_limit)".to_owned(),
        ]
    );
    lite.stop().await;
    pg.stop().await;
}
