//! The test tables of kustomize v5.7.1 (`api/internal/git/repospec_test.go`,
//! `api/internal/loader/fileloader_test.go`, `api/internal/generators/utils_test.go`),
//! transcribed.

use super::*;

fn spec(input: &str) -> RepoSpec {
    RepoSpec::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"))
}

/// `notCloned.Join(p)`: `/notCloned` joined to the kustomization root, cleaned.
fn abs_path(s: &RepoSpec) -> String {
    crate::kustomize::resource::join_clean("/notCloned", &s.kust_root_path)
}

#[test]
fn new_repo_spec_from_url_permute() {
    let scheme_authority = [
        ("gitHub.com/", "https://github.com/"),
        ("github.com:", "https://github.com/"),
        ("http://github.com/", "https://github.com/"),
        ("https://github.com/", "https://github.com/"),
        ("hTTps://github.com/", "https://github.com/"),
        (
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "https://git-codecommit.us-east-2.amazonaws.com/",
        ),
        (
            "https://fabrikops2.visualstudio.com/",
            "https://fabrikops2.visualstudio.com/",
        ),
        ("ssh://git.example.com:7999/", "ssh://git.example.com:7999/"),
        ("git::https://gitlab.com/", "https://gitlab.com/"),
        ("git::http://git.example.com/", "http://git.example.com/"),
        ("git::https://git.example.com/", "https://git.example.com/"),
        ("git@github.com:", "git@github.com:"),
        ("git@github.com/", "git@github.com:"),
        ("git::git@github.com:", "git@github.com:"),
        ("org-12345@github.com:", "org-12345@github.com:"),
        ("org-12345@github.com/", "org-12345@github.com:"),
    ];
    let repo_paths = ["someOrg/someRepo", "kubernetes/website"];
    let path_names = ["README.md", "foo/krusty.txt", ""];
    let ref_args = ["group/version", "someBranch", "master", "v0.1.0", ""];
    let mut n = 0;
    for (raw, normalized) in scheme_authority {
        for repo in repo_paths {
            for path in path_names {
                for git_ref in ref_args {
                    let mut url = format!("{raw}{repo}");
                    if !path.is_empty() {
                        url = format!("{raw}{repo}/{path}");
                    }
                    if !git_ref.is_empty() {
                        url.push_str("?ref=");
                        url.push_str(git_ref);
                    }
                    let s = spec(&url);
                    assert_eq!(s.host, normalized, "{url}");
                    assert_eq!(s.repo_path, repo, "{url}");
                    assert_eq!(s.kust_root_path, path, "{url}");
                    assert_eq!(s.git_ref, git_ref, "{url}");
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, 16 * 2 * 3 * 5);
}

#[test]
fn new_repo_spec_from_url_errors() {
    for (url, error) in [
        ("/tmp", "uri looks like abs path"),
        ("../../tmp", "failed to parse scheme"),
        ("src/github.com/org/repo/path", "failed to parse scheme"),
        ("iauhsdiuashduas", "failed to parse scheme"),
        ("htxxxtp://github.com/", "failed to parse scheme"),
        ("ssh://git.example.com", "failed to parse repo path segment"),
        ("git::___", "failed to parse scheme"),
        (
            "https://host?ref=group/version/minor_version",
            "failed to parse repo path segment",
        ),
        (
            "https://github.com/org/repo.git//path/../../exits/repo",
            "url path exits repo",
        ),
        ("github.com!org/repo.git//path", "failed to parse scheme"),
        ("gh:org/repo", "failed to parse scheme"),
        (
            "https://github.com/thisisa404.yaml",
            "failed to parse repo path segment",
        ),
        (
            "file:////tmp//path/to/whatever",
            "failed to parse repo path segment",
        ),
        (
            "git@scp://github.com/org/repo.git//path",
            "failed to parse repo path segment",
        ),
        (
            "git@ssh://github.com/org/repo.git//path",
            "failed to parse repo path segment",
        ),
    ] {
        match RepoSpec::parse(url) {
            Ok(s) => panic!("{url}: parsed as {s:?}"),
            Err(e) => assert!(e.contains(error), "{url}: {e}"),
        }
    }
}

#[test]
fn new_repo_spec_from_url_smoke() {
    // (input, cloneSpec, absPath, host, repoPath, kustRootPath, ref)
    let cases: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
        (
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
            "/notCloned/somedir",
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somedir",
            "",
        ),
        (
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir?ref=testbranch",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
            "/notCloned/somedir",
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somedir",
            "testbranch",
        ),
        (
            "https://fabrikops2.visualstudio.com/someorg/somerepo?ref=master",
            "https://fabrikops2.visualstudio.com/someorg/somerepo",
            "/notCloned",
            "https://fabrikops2.visualstudio.com/",
            "someorg/somerepo",
            "",
            "master",
        ),
        (
            "http://github.com/someorg/somerepo/somedir",
            "https://github.com/someorg/somerepo",
            "/notCloned/somedir",
            "https://github.com/",
            "someorg/somerepo",
            "somedir",
            "",
        ),
        (
            "git@github.com:someorg/somerepo/somedir",
            "git@github.com:someorg/somerepo",
            "/notCloned/somedir",
            "git@github.com:",
            "someorg/somerepo",
            "somedir",
            "",
        ),
        (
            "http://github.com/someorg/somerepo.git/somedir",
            "https://github.com/someorg/somerepo.git",
            "/notCloned/somedir",
            "https://github.com/",
            "someorg/somerepo.git",
            "somedir",
            "",
        ),
        (
            "git@github.com:someorg/somerepo.git/somedir",
            "git@github.com:someorg/somerepo.git",
            "/notCloned/somedir",
            "git@github.com:",
            "someorg/somerepo.git",
            "somedir",
            "",
        ),
        (
            "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git?ref=v0.1.0",
            "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git",
            "/notCloned",
            "git@gitlab2.sqtools.ru:",
            "infra/kubernetes/thanos-base.git",
            "",
            "v0.1.0",
        ),
        (
            "git@bitbucket.org:company/project.git//path?ref=branch",
            "git@bitbucket.org:company/project.git",
            "/notCloned/path",
            "git@bitbucket.org:",
            "company/project.git",
            "path",
            "branch",
        ),
        (
            "git@bitbucket.org/company/project.git//path?ref=branch",
            "git@bitbucket.org/company/project.git",
            "/notCloned/path",
            "git@bitbucket.org/",
            "company/project.git",
            "path",
            "branch",
        ),
        (
            "ssh://git@bitbucket.org/company/project.git//path?ref=branch",
            "ssh://git@bitbucket.org/company/project.git",
            "/notCloned/path",
            "ssh://git@bitbucket.org/",
            "company/project.git",
            "path",
            "branch",
        ),
        (
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "/notCloned",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "",
        ),
        (
            "https://itfs.mycompany.com/collection/project/_git/somerepos?version=v1.0.0",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "/notCloned",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "v1.0.0",
        ),
        (
            "https://itfs.mycompany.com/collection/project/_git/somerepos/somedir?version=v1.0.0",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "/notCloned/somedir",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "somedir",
            "v1.0.0",
        ),
        (
            "git::https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "/notCloned",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "",
        ),
        (
            "https://bitbucket.example.com/scm/project/repository.git",
            "https://bitbucket.example.com/scm/project/repository.git",
            "/notCloned",
            "https://bitbucket.example.com/",
            "scm/project/repository.git",
            "",
            "",
        ),
        (
            "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somepath",
            "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
            "/notCloned/somepath",
            "ssh://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somepath",
            "",
        ),
        (
            "git@github.com/someorg/somerepo/somepath",
            "git@github.com:someorg/somerepo",
            "/notCloned/somepath",
            "git@github.com:",
            "someorg/somerepo",
            "somepath",
            "",
        ),
        (
            "https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/?ref=v1.0.6",
            "https://github.com/kubernetes-sigs/kustomize",
            "/notCloned/examples/multibases/dev",
            "https://github.com/",
            "kubernetes-sigs/kustomize",
            "examples/multibases/dev/",
            "v1.0.6",
        ),
        (
            "file://a/b/c/someRepo.git/somepath?ref=someBranch",
            "file://a/b/c/someRepo.git",
            "/notCloned/somepath",
            "file://",
            "a/b/c/someRepo.git",
            "somepath",
            "someBranch",
        ),
        (
            "file://a/b/c/someRepo//somepath?ref=someBranch",
            "file://a/b/c/someRepo",
            "/notCloned/somepath",
            "file://",
            "a/b/c/someRepo",
            "somepath",
            "someBranch",
        ),
        (
            "file://a/b/c/someRepo?ref=someBranch",
            "file://a/b/c/someRepo",
            "/notCloned",
            "file://",
            "a/b/c/someRepo",
            "",
            "someBranch",
        ),
        (
            "file:///a/b/c/someRepo?ref=someBranch",
            "file:///a/b/c/someRepo",
            "/notCloned",
            "file://",
            "/a/b/c/someRepo",
            "",
            "someBranch",
        ),
        (
            "ssh://git@github.com/kubernetes-sigs/kustomize//examples/multibases/dev?ref=v1.0.6",
            "git@github.com:kubernetes-sigs/kustomize",
            "/notCloned/examples/multibases/dev",
            "git@github.com:",
            "kubernetes-sigs/kustomize",
            "examples/multibases/dev",
            "v1.0.6",
        ),
        (
            "file:///a/b/c/someRepo",
            "file:///a/b/c/someRepo",
            "/notCloned",
            "file://",
            "/a/b/c/someRepo",
            "",
            "",
        ),
        ("file:///", "file:///", "/notCloned", "file://", "/", "", ""),
        (
            "https://example.org/path/to/repo//examples/multibases/dev",
            "https://example.org/path/to/repo",
            "/notCloned/examples/multibases/dev",
            "https://example.org/",
            "path/to/repo",
            "examples/multibases/dev",
            "",
        ),
        (
            "https://example.org/path/to/repo.git/examples/multibases/dev",
            "https://example.org/path/to/repo.git",
            "/notCloned/examples/multibases/dev",
            "https://example.org/",
            "path/to/repo.git",
            "examples/multibases/dev",
            "",
        ),
        (
            "ssh://alice@example.com/path/to/repo//examples/multibases/dev",
            "ssh://alice@example.com/path/to/repo",
            "/notCloned/examples/multibases/dev",
            "ssh://alice@example.com/",
            "path/to/repo",
            "examples/multibases/dev",
            "",
        ),
        (
            "https://authority/org/repo?ref=group/version",
            "https://authority/org/repo",
            "/notCloned",
            "https://authority/",
            "org/repo",
            "",
            "group/version",
        ),
        (
            "https://authority/org/repo/?ref=includes_git/for_some_reason",
            "https://authority/org/repo",
            "/notCloned",
            "https://authority/",
            "org/repo",
            "",
            "includes_git/for_some_reason",
        ),
        (
            "https://authority/org/repo/?ref=includes.git/for_some_reason",
            "https://authority/org/repo",
            "/notCloned",
            "https://authority/",
            "org/repo",
            "",
            "includes.git/for_some_reason",
        ),
        (
            "https://authority/org/repo/%-invalid-uri-so-not-parsable-by-net/url.Parse",
            "https://authority/org/repo",
            "/notCloned/%-invalid-uri-so-not-parsable-by-net/url.Parse",
            "https://authority/",
            "org/repo",
            "%-invalid-uri-so-not-parsable-by-net/url.Parse",
            "",
        ),
        (
            "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git//path?ref=branch",
            "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git",
            "/notCloned/path",
            "ssh://myusername@bitbucket.org/",
            "ourteamname/ourrepositoryname.git",
            "path",
            "branch",
        ),
        (
            "file://git@home/path/to/repository.git//path?ref=branch",
            "file://git@home/path/to/repository.git",
            "/notCloned/path",
            "file://",
            "git@home/path/to/repository.git",
            "path",
            "branch",
        ),
        (
            "http://git@home.com/path/to/repository.git//path?ref=branch",
            "http://git@home.com/path/to/repository.git",
            "/notCloned/path",
            "http://git@home.com/",
            "path/to/repository.git",
            "path",
            "branch",
        ),
        (
            "https://git@home.com/path/to/repository.git//path?ref=branch",
            "https://git@home.com/path/to/repository.git",
            "/notCloned/path",
            "https://git@home.com/",
            "path/to/repository.git",
            "path",
            "branch",
        ),
        (
            "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
            "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
            "/notCloned",
            "ssh://git@ssh.github.com:443/",
            "YOUR-USERNAME/YOUR-REPOSITORY.git",
            "",
            "",
        ),
        (
            "git@gitlab.com/user:name/YOUR-REPOSITORY.git/path",
            "git@gitlab.com/user:name/YOUR-REPOSITORY.git",
            "/notCloned/path",
            "git@gitlab.com/",
            "user:name/YOUR-REPOSITORY.git",
            "path",
            "",
        ),
        (
            "git@gitlab.com:gitlab-tests/sample-project.git",
            "git@gitlab.com:gitlab-tests/sample-project.git",
            "/notCloned",
            "git@gitlab.com:",
            "gitlab-tests/sample-project.git",
            "",
            "",
        ),
        (
            "git@gitlab.com:gitlab-tests/sample-project",
            "git@gitlab.com:gitlab-tests/sample-project",
            "/notCloned",
            "git@gitlab.com:",
            "gitlab-tests/sample-project",
            "",
            "",
        ),
        (
            "https://username@dev.azure.com/org/project/_git/repo//path/to/kustomization/root",
            "https://username@dev.azure.com/org/project/_git/repo",
            "/notCloned/path/to/kustomization/root",
            "https://username@dev.azure.com/",
            "org/project/_git/repo",
            "path/to/kustomization/root",
            "",
        ),
        (
            "https://org.visualstudio.com/project/_git/repo/path/to/kustomization/root",
            "https://org.visualstudio.com/project/_git/repo",
            "/notCloned/path/to/kustomization/root",
            "https://org.visualstudio.com/",
            "project/_git/repo",
            "path/to/kustomization/root",
            "",
        ),
        (
            "ssh://org-12345@github.com/kubernetes-sigs/kustomize",
            "org-12345@github.com:kubernetes-sigs/kustomize",
            "/notCloned",
            "org-12345@github.com:",
            "kubernetes-sigs/kustomize",
            "",
            "",
        ),
        (
            "org-12345@github.com/kubernetes-sigs/kustomize",
            "org-12345@github.com:kubernetes-sigs/kustomize",
            "/notCloned",
            "org-12345@github.com:",
            "kubernetes-sigs/kustomize",
            "",
            "",
        ),
        (
            "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
            "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
            "/notCloned",
            "git@gist.github.com:",
            "bc7947cb727d7f9217e7862d961a1ffd.git",
            "",
            "",
        ),
        (
            "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
            "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
            "/notCloned",
            "https://gist.github.com/",
            "bc7947cb727d7f9217e7862d961a1ffd.git",
            "",
            "",
        ),
    ];
    for &(input, clone_spec, abs, host, repo_path, kust_root, git_ref) in cases {
        let s = spec(input);
        assert_eq!(s.clone_spec(), clone_spec, "{input}");
        assert_eq!(abs_path(&s), abs, "{input}");
        assert_eq!(s.host, host, "{input}");
        assert_eq!(s.repo_path, repo_path, "{input}");
        assert_eq!(s.kust_root_path, kust_root, "{input}");
        assert_eq!(s.git_ref, git_ref, "{input}");
        assert_eq!(s.raw, input);
    }
}

#[test]
fn new_repo_spec_from_url_default_query_params() {
    let s = spec("https://github.com/org/repo");
    assert!(s.submodules);
    assert_eq!(s.timeout_nanos, DEFAULT_GIT_TIMEOUT_NANOS);
}

#[test]
fn parse_query_table() {
    const SEC: i64 = 1_000_000_000;
    let d = DEFAULT_GIT_TIMEOUT_NANOS;
    for (input, git_ref, submodules, timeout) in [
        ("", "", true, d),
        ("ref=v1.0.0", "v1.0.0", true, d),
        ("ref=kustomize/v4.5.7", "kustomize/v4.5.7", true, d),
        ("version=master", "master", true, d),
        ("version=master&ref=v1.0.0", "v1.0.0", true, d),
        ("version=master&submodules=", "master", true, d),
        ("version=master&submodules=maybe", "master", true, d),
        ("version=master&submodules=true", "master", true, d),
        ("version=master&submodules=false", "master", false, d),
        ("version=master&timeout=", "master", true, d),
        ("version=master&timeout=jiffy", "master", true, d),
        ("version=master&timeout=0", "master", true, d),
        ("version=master&timeout=0s", "master", true, d),
        ("version=master&timeout=61", "master", true, 61 * SEC),
        ("version=master&timeout=1m1s", "master", true, 61 * SEC),
        (
            "version=master&submodules=false&timeout=1m1s",
            "master",
            false,
            61 * SEC,
        ),
    ] {
        assert_eq!(
            parse_query(input),
            (git_ref.to_owned(), timeout, submodules),
            "{input}"
        );
    }
    // Go's url.ParseQuery: escapes decoded, and any malformed part means the defaults.
    assert_eq!(parse_query("ref=a%2Fb+c").0, "a/b c");
    assert_eq!(parse_query("ref=v1;x").0, "");
    assert_eq!(parse_query("ref=v1&x=%zz").0, "");
    assert_eq!(parse_query("timeout=1.5h").1, 5_400 * SEC);
    assert_eq!(parse_query("timeout=-5s").1, d);
}

#[test]
fn is_remote_file_table() {
    for (url, valid) in [
        (
            "https://raw.githubusercontent.com/kubernetes-sigs/kustomize/master/examples/helloWorld/configMap.yaml",
            true,
        ),
        (
            "https:/raw.githubusercontent.com/kubernetes-sigs/kustomize/master/examples/helloWorld/configMap.yaml",
            true,
        ),
        (
            "https://github.com/kubernetes-sigs/kustomize//examples/helloWorld/",
            true,
        ),
        (
            "github.com/kubernetes-sigs/kustomize//examples/helloWorld/",
            false,
        ),
        ("ssh://git@github.com/kubernetes-sigs/kustomize.git", false),
        ("pod.yaml", false),
        // Beyond kustomize's table: Go's url.Parse rules.
        ("HTTP://example.com/x.yaml", true),
        ("http:x.yaml", true),
        ("https://example.com/%zz.yaml", false),
        ("https://exa mple.com/x.yaml", false),
        ("https://example.com:80a/x.yaml", false),
        ("https://[::1]:8080/x.yaml", true),
        ("https://[1.2.3.4]/x.yaml", false),
        ("https://u:p@example.com/x.yaml#frag", true),
        ("https://example.com/x.yaml#%zz", false),
        ("https://example.com/x\u{7f}.yaml", false),
        ("github.com:org/repo.git/path?ref=v1", false),
        ("ssh:/resource.yaml", false),
        ("https:", true),
    ] {
        assert_eq!(is_remote_file(url), valid, "{url}");
    }
}

#[test]
fn parse_file_source_table() {
    assert_eq!(
        parse_file_source("./path/myfile"),
        Ok(("myfile".to_owned(), "./path/myfile"))
    );
    assert_eq!(
        parse_file_source("newName.ini=oldName"),
        Ok(("newName.ini".to_owned(), "oldName"))
    );
    assert_eq!(
        parse_file_source("newName.ini==oldName"),
        Err("source \"newName.ini==oldName\" key name or file path contains '='".to_owned())
    );
    assert_eq!(
        parse_file_source("=myfile"),
        Err("missing key name for file path \"myfile\" in source \"=myfile\"".to_owned())
    );
    assert_eq!(
        parse_file_source("myfile="),
        Err("missing file path for key name \"myfile\" in source \"myfile=\"".to_owned())
    );
    // A URL with a query is `key=path` to kustomize.
    assert_eq!(
        parse_file_source("https://example.com/a?x=y"),
        Ok(("https://example.com/a?x".to_owned(), "y"))
    );
}

/// What kustomize takes for a local path even though it looks like a URL: the loader's
/// own tests (`TestLoaderLocalScheme`), and strings with too few path segments.
#[test]
fn local_paths_that_look_like_urls() {
    assert!(RepoSpec::parse("https://root").is_err());
    assert!(!is_remote_file("ssh://resource.yaml"));
    for local in [
        "base",
        "../base",
        "./overlays/prod",
        "github.com",
        "x/github.com/a/b",
    ] {
        assert!(RepoSpec::parse(local).is_err(), "{local}");
        assert!(!is_remote_file(local), "{local}");
    }
}
