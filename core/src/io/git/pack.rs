//! Receiving an upload-pack response (shared by the smart-HTTP and `git://` clients): the
//! side-band stream demultiplexed, the pack streamed into libgit2's indexer with the size
//! bound and the deadline checked as it arrives.

use std::io::{Read, Write as _};
use std::time::Instant;

use super::{GitError, Phase, Progress, ProgressFn};
use crate::source::git::pktline::{Band, PktError, UploadPackResponse};

/// Reads the response to an upload-pack request from `reader` into `repo`'s object
/// database; returns the shallow commits the server reported (`deepen`: the request was
/// shallow).
pub(super) fn receive(
    reader: impl Read,
    deepen: bool,
    repo: &git2::Repository,
    url: &str,
    limit: u64,
    deadline: Option<Instant>,
    progress: Option<&ProgressFn>,
) -> Result<Vec<String>, GitError> {
    let git = |e: &git2::Error| GitError::Git {
        url: url.to_owned(),
        reason: e.message().to_owned(),
    };
    let mut stream = UploadPackResponse::new(reader, deepen);
    let odb = repo.odb().map_err(|e| git(&e))?;
    let mut writer = odb.packwriter().map_err(|e| git(&e))?;
    let mut received: u64 = 0;
    let report = |p: &Progress| {
        if let Some(f) = progress {
            f(p);
        }
    };
    loop {
        if deadline.is_some_and(|d| Instant::now() > d) {
            return Err(GitError::Timeout {
                url: url.to_owned(),
            });
        }
        match stream.next_band() {
            Ok(Band::Pack(data)) => {
                received += data.len() as u64;
                if received > limit {
                    return Err(GitError::TooLarge {
                        url: url.to_owned(),
                        what: "pack".into(),
                        limit,
                    });
                }
                writer.write_all(data).map_err(|e| GitError::Protocol {
                    url: url.to_owned(),
                    reason: format!("invalid pack data: {e}"),
                })?;
                report(&Progress {
                    phase: Phase::Receiving,
                    received_bytes: received,
                    ..Progress::default()
                });
            }
            Ok(Band::Progress(_)) => {}
            Ok(Band::End) => break,
            Err(PktError::Remote(message)) => {
                return Err(GitError::Remote {
                    url: url.to_owned(),
                    message,
                });
            }
            Err(e) => {
                return Err(GitError::Protocol {
                    url: url.to_owned(),
                    reason: e.to_string(),
                });
            }
        }
    }
    let shallow = std::mem::take(&mut stream.shallow);
    if received > 0 {
        report(&Progress {
            phase: Phase::Resolving,
            received_bytes: received,
            ..Progress::default()
        });
        writer.commit().map_err(|e| GitError::Protocol {
            url: url.to_owned(),
            reason: format!("invalid pack: {}", e.message()),
        })?;
    }
    Ok(shallow)
}
