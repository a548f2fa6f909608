//! Durable desks: `Desk.open`, `saveTo`, `storeKind`, `refresh`, `follow`, `checkpoint`.
//!
//! Why here: the desk a JS `Desk` holds is a [`HostDesk`], in memory or on a store (a SQLite
//! file, a PostgreSQL server). Every change already goes through [`HostDesk::change`], which on
//! a durable desk commits (an fsync) before it returns, on the JS thread like the change
//! itself. What waits on the store for longer (opening: the latest checkpoint and the log after
//! it; copying a desk to a store; waiting for another instance; writing a checkpoint) runs on a
//! libuv worker thread and returns a `Promise`, holding the desk exclusively meanwhile, so calls
//! on the JS thread throw `DESK_BUSY` until it settles (as during an import).

use crate::desk::{Desk, Shared};
use crate::error::{Code, invalid_argument, to_js, to_js_value};
use napi::Task;
use napi::bindgen_prelude::{AsyncTask, Env};
use napi_derive::napi;
use partnerdesk::Error as CoreError;
use partnerdesk_host::ops::privacy::Secret;
use partnerdesk_host::{HostDesk, StoreKind as CoreKind, StoreOptions as CoreOptions};
use std::sync::Arc;
use std::time::Duration;

/// The longest `follow` waits in one call: one hour (call it again to wait longer).
pub const MAX_FOLLOW_MS: f64 = 3_600_000.0;

/// Which store holds a durable desk.
#[napi(string_enum)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// An embedded SQLite file.
    #[napi(value = "sqlite")]
    Sqlite,
    /// A PostgreSQL database.
    #[napi(value = "postgresql")]
    Postgresql,
}

impl From<CoreKind> for StoreKind {
    fn from(k: CoreKind) -> Self {
        match k {
            CoreKind::Sqlite => StoreKind::Sqlite,
            CoreKind::Postgresql => StoreKind::Postgresql,
        }
    }
}

/// How a durable desk retries, checkpoints and seals its events (all optional: the store's
/// defaults).
#[napi(object, object_to_js = false)]
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// How many times a change runs before `CONCURRENT_CHANGE` is thrown, when another
    /// instance changed the desk first (1 to 64; default 8).
    pub max_attempts: Option<u32>,
    /// A checkpoint every this many events (default 10,000; 0: only on `checkpoint()`).
    pub checkpoint_every: Option<u32>,
    /// The secret (at least 16 bytes) the desk's events are sealed with, HMAC-SHA256; the
    /// store never holds it, so give it to every `Desk.open` and `saveTo` of that desk. A
    /// store sealed with a key opened without it or with another rejects with
    /// `STORE_CORRUPT`; `saveTo` of a desk that has a key (`setEventKey`) needs the same one
    /// (`INVALID_ARGUMENT` on `event_key` otherwise). Default: no key.
    #[napi(ts_type = "Buffer")]
    pub event_key: Option<Secret>,
}

impl From<StoreOptions> for CoreOptions {
    fn from(o: StoreOptions) -> Self {
        CoreOptions {
            max_attempts: o.max_attempts,
            checkpoint_every: o.checkpoint_every.map(u64::from),
            event_key: o.event_key,
        }
    }
}

/// Options of `Desk.open`: which desk, and the store options.
#[napi(object, object_to_js = false)]
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The partner whose desk to open (default: the one desk the store holds;
    /// `INVALID_ARGUMENT` when it holds several).
    pub partner: Option<String>,
    /// See `StoreOptions.maxAttempts`.
    pub max_attempts: Option<u32>,
    /// See `StoreOptions.checkpointEvery`.
    pub checkpoint_every: Option<u32>,
    /// See `StoreOptions.eventKey`.
    #[napi(ts_type = "Buffer")]
    pub event_key: Option<Secret>,
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Opens the desk stored at `location` (a SQLite file path, or a `postgresql://` URL) on a
    /// worker thread: its latest checkpoint and the events and audit records after it. Every
    /// change of the desk is then committed to the store before it returns. Rejects with
    /// `STORE_UNAVAILABLE` (unreachable, or no such desk there), `STORE_CORRUPT` (also: events
    /// sealed with a key opened without `eventKey` or with another),
    /// `STORE_VERSION_UNSUPPORTED`, `INVALID_ID` (partner) or `INVALID_ARGUMENT`.
    #[napi(ts_return_type = "Promise<Desk>")]
    pub fn open(location: String, options: Option<OpenOptions>) -> AsyncTask<OpenDesk> {
        let o = options.unwrap_or_default();
        AsyncTask::new(OpenDesk {
            location,
            partner: o.partner,
            options: CoreOptions {
                max_attempts: o.max_attempts,
                checkpoint_every: o.checkpoint_every.map(u64::from),
                event_key: o.event_key,
            },
        })
    }

    /// Stores a copy of this desk at `location` as a new durable desk (its first checkpoint),
    /// on a worker thread, and keeps working there: every later change is committed to that
    /// store. Rejects with `INVALID_ARGUMENT` when the store already holds this partner's desk
    /// (nothing is overwritten), or as `Desk.open`; on error the desk stays as and where it
    /// was.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn save_to(&self, location: String, options: Option<StoreOptions>) -> AsyncTask<StoreWork> {
        AsyncTask::new(StoreWork {
            desk: self.inner.clone(),
            job: Job::SaveTo {
                location,
                options: options.unwrap_or_default().into(),
            },
        })
    }

    /// Which store holds the desk: `'sqlite'`, `'postgresql'`, or `null` (in memory only).
    #[napi(getter)]
    pub fn store_kind(&self) -> napi::Result<Option<StoreKind>, Code> {
        Ok(self.read()?.store_kind().map(StoreKind::from))
    }

    /// Applies what other instances committed to the store since this desk last read it;
    /// returns how many events that was (0 in memory).
    #[napi]
    pub fn refresh(&self) -> napi::Result<u32, Code> {
        let applied = self.write()?.refresh().map_err(to_js)?;
        Ok(u32::try_from(applied).unwrap_or(u32::MAX))
    }

    /// Waits on a worker thread up to `timeoutMs` milliseconds (0 to one hour) for another
    /// instance to commit, then applies it; resolves to whether anything new was applied (in
    /// memory: `false` at once).
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn follow(&self, timeout_ms: f64) -> napi::Result<AsyncTask<StoreWork>, Code> {
        if !(0.0..=MAX_FOLLOW_MS).contains(&timeout_ms) {
            return Err(invalid_argument(
                "timeoutMs",
                "expected milliseconds from 0 to 3600000 (one hour)",
            ));
        }
        Ok(AsyncTask::new(StoreWork {
            desk: self.inner.clone(),
            job: Job::Follow(Duration::from_secs_f64(timeout_ms / 1000.0)),
        }))
    }

    /// Stores a checkpoint now, on a worker thread (opening reads from there on); resolves to
    /// how many events the log held at it. Rejects with `INVALID_ARGUMENT` in memory.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn checkpoint(&self) -> AsyncTask<StoreWork> {
        AsyncTask::new(StoreWork {
            desk: self.inner.clone(),
            job: Job::Checkpoint,
        })
    }
}

/// Opens a stored desk on a worker thread.
pub struct OpenDesk {
    location: String,
    partner: Option<String>,
    options: CoreOptions,
}

impl Task for OpenDesk {
    type Output = Result<HostDesk, CoreError>;
    type JsValue = Desk;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::background("Desk.open", || {
            HostDesk::open(
                &self.location,
                self.partner.as_deref(),
                self.options.clone(),
            )
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Desk> {
        match output {
            Ok(held) => Ok(Desk {
                inner: Arc::new(partnerdesk_host::DeskLock::new(held)),
            }),
            Err(e) => Err(to_js_value(&env, &e)),
        }
    }
}

/// What a [`StoreWork`] does.
enum Job {
    SaveTo {
        location: String,
        options: CoreOptions,
    },
    Follow(Duration),
    Checkpoint,
}

/// What a [`StoreWork`] resolves to.
pub enum Done {
    /// `saveTo`: nothing.
    Saved,
    /// `follow`: whether anything new was applied.
    Followed(bool),
    /// `checkpoint`: the events at the checkpoint.
    Checkpoint(u64),
}

/// Store work on a desk, on a worker thread holding the desk exclusively.
pub struct StoreWork {
    desk: Shared,
    job: Job,
}

impl Task for StoreWork {
    type Output = Result<Done, CoreError>;
    type JsValue = napi::bindgen_prelude::Either3<(), bool, f64>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = || {
            let mut desk = crate::desk::write_on_worker(&self.desk);
            match &self.job {
                Job::SaveTo { location, options } => desk
                    .save_to(location, options.clone())
                    .map(|()| Done::Saved),
                Job::Follow(timeout) => desk.follow(*timeout).map(Done::Followed),
                Job::Checkpoint => desk.checkpoint().map(Done::Checkpoint),
            }
        };
        // Following waits (for another instance's changes); copying and checkpoints work.
        Ok(match self.job {
            Job::Follow(_) => crate::panic_guard::compute("Desk.store", work),
            _ => crate::panic_guard::background("Desk.store", work),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        use napi::bindgen_prelude::Either3;
        match output {
            Ok(Done::Saved) => Ok(Either3::A(())),
            Ok(Done::Followed(applied)) => Ok(Either3::B(applied)),
            // Event counts stay far below 2^53: exact as a JS number.
            Ok(Done::Checkpoint(events)) => Ok(Either3::C(events as f64)),
            Err(e) => Err(to_js_value(&env, &e)),
        }
    }
}
