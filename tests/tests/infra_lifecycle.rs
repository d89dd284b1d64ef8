//! The service scripts' lifecycle: `up` twice is harmless, `up` after a crash
//! recovers, and `down` leaves no process or port behind. Each test uses a run
//! directory of its own, whatever the outer test command started.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use gitward_tests::{TestEnv, unique_name};

fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().expect("workspace root").to_path_buf()
}

/// Runs `scripts/<script> <cmd>` with GITWARD_TEST_RUN=run; returns (ok, stdout, stderr).
fn run_script(script: &str, cmd: &str, run: &Path) -> (bool, String, String) {
    let out = Command::new("bash")
        .arg(root().join("scripts").join(script))
        .arg(cmd)
        .env("GITWARD_TEST_RUN", run)
        .env("GITWARD_TEST_LOGS", run.with_extension("logs"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Stops the service even if the test fails half-way.
struct Down<'a> {
    script: &'a str,
    run: PathBuf,
}

impl Drop for Down<'_> {
    fn drop(&mut self) {
        let _ = run_script(self.script, "down", &self.run);
        let _ = std::fs::remove_dir_all(&self.run);
        let _ = std::fs::remove_dir_all(self.run.with_extension("logs"));
    }
}

/// PIDs recorded under `<svc dir>/pids`, by name.
fn recorded(svc_dir: &Path) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = std::fs::read_dir(svc_dir.join("pids"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let text = std::fs::read_to_string(e.path()).ok()?;
                    let pid = text.split_whitespace().next()?.parse().ok()?;
                    Some((name, pid))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Is `pid` a live (non-zombie) process?
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(") ")
                .map(|(_, rest)| !rest.starts_with('Z') && !rest.starts_with('X'))
        })
        .unwrap_or(false)
}

/// Live processes in session `sid` (the scripts start every server in a session of its own).
fn session_members(sid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    std::fs::read_to_string(format!("/proc/{pid}/stat"))
                        .ok()
                        .and_then(|s| {
                            let rest = s.rsplit_once(") ")?.1.to_owned();
                            let f: Vec<&str> = rest.split_whitespace().collect();
                            // state ppid pgrp session ...
                            Some(f.first()? != &"Z" && f.get(3)?.parse::<u32>().ok()? == sid)
                        })
                        .unwrap_or(false)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn listening(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

fn port_of(url: &str) -> u16 {
    let hostport = url.split("://").nth(1).unwrap_or(url);
    let hostport = hostport.split('/').next().unwrap_or(hostport);
    hostport
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

fn kill9(pid: u32) {
    let ok = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill -9 {pid}");
}

/// After `down`: no recorded process, no member of their sessions, no port, no state.
fn assert_all_gone(pids: &[(String, u32)], ports: &[u16], svc_dir: &Path) {
    for (name, pid) in pids {
        assert!(!alive(*pid), "{name} (pid {pid}) still runs after down");
        assert!(
            session_members(*pid).is_empty(),
            "processes of {name}'s session {pid} still run after down: {:?}",
            session_members(*pid)
        );
    }
    for port in ports {
        assert!(!listening(*port), "port {port} still open after down");
    }
    assert!(!svc_dir.exists(), "{} left behind", svc_dir.display());
}

#[test]
fn cluster_up_twice_crash_recovery_and_clean_down() {
    let run = std::env::temp_dir().join(unique_name("gitward-lifecycle-cluster"));
    let _down = Down {
        script: "test-cluster.sh",
        run: run.clone(),
    };
    let svc = run.join("cluster");

    let (ok, out, err) = run_script("test-cluster.sh", "up", &run);
    assert!(ok, "up failed: {err}");
    let kubeconfig = out.lines().last().expect("kubeconfig line").to_owned();
    assert_eq!(
        kubeconfig,
        svc.join("admin.kubeconfig").display().to_string()
    );
    assert!(Path::new(&kubeconfig).is_file());
    let (ok, env_out, _) = run_script("test-cluster.sh", "env", &run);
    assert!(ok);
    let env = TestEnv::parse(&env_out, "env");
    assert_eq!(env.get("KUBECONFIG"), Some(kubeconfig.as_str()));
    let port = port_of(env.require("GITWARD_KUBE_SERVER"));
    assert!(listening(port));
    let first = recorded(&svc);
    assert_eq!(
        first.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["01-etcd", "02-kube-apiserver"]
    );

    // A second `up` finds it running and changes nothing.
    let (ok, out, err) = run_script("test-cluster.sh", "up", &run);
    assert!(ok, "second up failed: {err}");
    assert!(err.contains("already up"), "{err}");
    assert_eq!(out.lines().last(), Some(kubeconfig.as_str()));
    assert_eq!(recorded(&svc), first);
    let (ok, _, _) = run_script("test-cluster.sh", "status", &run);
    assert!(ok, "status after up");

    // A crash (kube-apiserver killed) leaves stale state; `up` recovers from it.
    kill9(first[1].1);
    let (ok, _, _) = run_script("test-cluster.sh", "status", &run);
    assert!(!ok, "status must fail once kube-apiserver is dead");
    let (ok, _, err) = run_script("test-cluster.sh", "up", &run);
    assert!(ok, "up after a crash failed: {err}");
    assert!(err.contains("stale state"), "{err}");
    let second = recorded(&svc);
    assert_ne!(second, first);
    assert!(second.iter().all(|(_, pid)| alive(*pid)));
    assert!(!alive(first[0].1), "the old etcd was not stopped");
    let (_, env_out, _) = run_script("test-cluster.sh", "env", &run);
    let port2 = port_of(TestEnv::parse(&env_out, "env").require("GITWARD_KUBE_SERVER"));
    assert!(listening(port2));

    // `down` leaves nothing.
    let (ok, _, err) = run_script("test-cluster.sh", "down", &run);
    assert!(ok, "down failed: {err}");
    assert_all_gone(&second, &[port2], &svc);
    // ... and is harmless when repeated.
    let (ok, _, err) = run_script("test-cluster.sh", "down", &run);
    assert!(ok, "second down failed: {err}");
}

#[test]
fn git_servers_recover_from_a_crashed_nginx_and_clean_down() {
    let run = std::env::temp_dir().join(unique_name("gitward-lifecycle-git"));
    let _down = Down {
        script: "test-git-servers.sh",
        run: run.clone(),
    };
    let svc = run.join("git");

    let (ok, out, err) = run_script("test-git-servers.sh", "up", &run);
    assert!(ok, "up failed: {err}");
    let env = TestEnv::parse(&out, "up");
    let ports: Vec<u16> = [
        "GITWARD_GIT_DAEMON_URL",
        "GITWARD_GIT_HTTPS_URL",
        "GITWARD_GIT_SSH_URL",
    ]
    .iter()
    .map(|k| port_of(env.require(k)))
    .collect();
    assert!(ports.iter().all(|p| listening(*p)));
    let first = recorded(&svc);

    // Kill nginx's master only: its worker lives on, holding the HTTPS port.
    let (_, nginx) = first
        .iter()
        .find(|(n, _)| n.ends_with("-nginx"))
        .cloned()
        .expect("nginx recorded");
    let workers: Vec<u32> = session_members(nginx)
        .into_iter()
        .filter(|p| *p != nginx)
        .collect();
    assert!(!workers.is_empty(), "nginx has no worker");
    kill9(nginx);

    let (ok, out, err) = run_script("test-git-servers.sh", "up", &run);
    assert!(ok, "up after a crash failed: {err}");
    assert!(err.contains("stale state"), "{err}");
    for w in &workers {
        assert!(!alive(*w), "orphaned nginx worker {w} survived");
    }
    let env2 = TestEnv::parse(&out, "up");
    let ports2: Vec<u16> = [
        "GITWARD_GIT_DAEMON_URL",
        "GITWARD_GIT_HTTPS_URL",
        "GITWARD_GIT_SSH_URL",
    ]
    .iter()
    .map(|k| port_of(env2.require(k)))
    .collect();
    assert!(ports2.iter().all(|p| listening(*p)));
    let second = recorded(&svc);

    let (ok, _, err) = run_script("test-git-servers.sh", "down", &run);
    assert!(ok, "down failed: {err}");
    assert_all_gone(&second, &ports2, &svc);
}
