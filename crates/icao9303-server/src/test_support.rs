//! For tests (feature `test-support`): a private PostgreSQL server and fresh databases on it.
//!
//! [`Postgres::shared`] gives one server per test process, started on first use in a temporary directory
//! on a free loopback port (`initdb` + `postgres` from `/usr/lib/postgresql/*/bin` or `PATH`; as root they
//! run as the `postgres` user), stopped by a watchdog when the test process exits. [`Postgres::start`]
//! gives a server of one's own, which [`Postgres::stop`] and [`Postgres::restart`] control (the
//! reliability tests stop the database under a running service). With `MRTD_TEST_POSTGRES` set to a URL
//! (`postgres://user:password@host:port/db`), that server is used instead. [`Postgres::fresh_database`]
//! creates an empty database for one test. When no PostgreSQL can be started, `shared` returns `None` and
//! the test says it skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

/// A PostgreSQL server for tests.
#[derive(Debug)]
pub struct Postgres {
    /// `postgres://user@127.0.0.1:PORT` (no database), or the `MRTD_TEST_POSTGRES` URL's server part.
    base_url: String,
    /// The database to connect to for CREATE DATABASE.
    admin_db: String,
    /// A private server's directory, binaries and port (`None`: an external server).
    private: Option<Private>,
}

#[derive(Debug)]
struct Private {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The directory holding `initdb` and `postgres`.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some(newest) = versions.pop() {
        return Some(newest);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|d| d.join("initdb").exists() && d.join("postgres").exists())
    })
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Private {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.arg("-u").arg("postgres").arg("--").arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn start(&self) -> anyhow::Result<()> {
        let status = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("log"))
            .arg("-w")
            .arg("-t")
            .arg("60")
            .arg("-o")
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                self.port,
                self.dir.display()
            ))
            .arg("start")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("pg_ctl start")?;
        if !status.success() {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            return Err(anyhow!("pg_ctl start failed: {log}"));
        }
        Ok(())
    }

    fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-m")
            .arg("fast")
            .arg("-w")
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Postgres {
    /// The server all tests of this process share (started once), or `None` with the reason on stderr.
    pub fn shared() -> Option<&'static Postgres> {
        static SHARED: OnceLock<Option<Postgres>> = OnceLock::new();
        SHARED
            .get_or_init(|| match Self::external().map_or_else(|| Self::start_watched(true), Ok) {
                Ok(pg) => Some(pg),
                Err(e) => {
                    eprintln!(
                        "skipping the PostgreSQL part of this test: no PostgreSQL could be started ({e:#}); \
                         install postgresql or set MRTD_TEST_POSTGRES=postgres://..."
                    );
                    None
                }
            })
            .as_ref()
    }

    fn external() -> Option<Postgres> {
        let url = std::env::var("MRTD_TEST_POSTGRES").ok()?;
        let (base, db) = match url.rsplit_once('/') {
            Some((base, db)) if base.contains("://") && !base.ends_with('/') => {
                (base.to_owned(), db.to_owned())
            }
            _ => (url.trim_end_matches('/').to_owned(), "postgres".to_owned()),
        };
        Some(Postgres {
            base_url: base,
            admin_db: if db.is_empty() { "postgres".into() } else { db },
            private: None,
        })
    }

    /// Starts a server of one's own (stopped and removed when dropped).
    pub fn start() -> anyhow::Result<Postgres> {
        Self::start_watched(false)
    }

    fn start_watched(watchdog: bool) -> anyhow::Result<Postgres> {
        let bin = bin_dir().ok_or_else(|| anyhow!("no initdb found"))?;
        let as_postgres_user = is_root();
        let dir = std::env::temp_dir().join(format!(
            "mrtd-pg-{}-{}",
            std::process::id(),
            crate::keys::new_id()?
        ));
        std::fs::create_dir_all(&dir)?;
        if as_postgres_user {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&dir)
                .status()?;
            if !status.success() {
                return Err(anyhow!("chown postgres {}", dir.display()));
            }
        }
        let mut private = Private {
            dir,
            bin,
            port: 0,
            as_postgres_user,
        };
        let out = private
            .command("initdb")
            .arg("-D")
            .arg(private.data())
            .arg("-A")
            .arg("trust")
            .arg("-U")
            .arg("postgres")
            .arg("--no-sync")
            .output()
            .context("initdb")?;
        if !out.status.success() {
            return Err(anyhow!(
                "initdb: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let mut last = anyhow!("not started");
        for _ in 0..3 {
            private.port = free_port()?;
            match private.start() {
                Ok(()) => {
                    if watchdog {
                        spawn_watchdog(&private);
                    }
                    return Ok(Postgres {
                        base_url: format!("postgres://postgres@127.0.0.1:{}", private.port),
                        admin_db: "postgres".into(),
                        private: Some(private),
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Stops a private server (fast shutdown: connections are dropped).
    pub fn stop(&self) {
        if let Some(p) = &self.private {
            p.stop();
        }
    }

    /// Starts a stopped private server again on the same port.
    pub fn restart(&self) -> anyhow::Result<()> {
        match &self.private {
            Some(p) => p.start(),
            None => Err(anyhow!("an external server is not controlled by the tests")),
        }
    }

    /// A new, empty database on the server; its URL.
    pub async fn fresh_database(&self) -> anyhow::Result<String> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let name = format!("mrtd_test_{}", crate::keys::new_id()?);
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut conn = loop {
            match sqlx::AnyConnection::connect(&format!("{}/{}", self.base_url, self.admin_db))
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(format!("{}/{name}", self.base_url))
    }

    /// [`Postgres::fresh_database`] outside an async runtime.
    pub fn fresh_database_blocking(&self) -> anyhow::Result<String> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(self.fresh_database())
    }

    /// The server's data directory (private servers).
    pub fn dir(&self) -> Option<&Path> {
        self.private.as_ref().map(|p| p.dir.as_path())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(p) = &self.private {
            p.stop();
            let _ = std::fs::remove_dir_all(&p.dir);
        }
    }
}

/// A shared server outlives the test process's statics: a shell loop stops it once the process is gone.
fn spawn_watchdog(p: &Private) {
    let pg_ctl = p.bin.join("pg_ctl");
    let stop = if p.as_postgres_user {
        format!(
            "runuser -u postgres -- {} -D {} -m immediate stop",
            pg_ctl.display(),
            p.data().display()
        )
    } else {
        format!(
            "{} -D {} -m immediate stop",
            pg_ctl.display(),
            p.data().display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = p.dir.display()
    );
    let _ = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}
