//! Shell integration (completions, manual page) and usage errors a shell user meets.

use predicates::prelude::*;

use crate::util::{gazmap, RunExt};

#[test]
fn completions_are_printed_for_every_shell() {
    for (shell, start) in [
        ("bash", "_gazmap()"),
        ("zsh", "#compdef gazmap"),
        ("fish", "complete -c gazmap"),
        ("powershell", "using namespace System.Management.Automation"),
        ("elvish", "use builtin;"),
    ] {
        gazmap()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(start))
            .stdout(predicate::str::contains("resolve"));
    }
    gazmap()
        .args(["completions", "tcsh"])
        .fails_with(2, "invalid value");
}

#[test]
fn the_manual_page_is_roff_naming_every_subcommand() {
    let assert = gazmap().arg("man").assert().success();
    let page = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(page.contains(".TH gazmap 1"), "{page}");
    for sub in ["resolve", "clean", "export", "extract", "import", "index"] {
        assert!(page.contains(sub), "no {sub} in the manual page");
    }
}

#[test]
fn a_country_with_no_place_is_a_usage_error() {
    gazmap()
        .args(["resolve", "Kabul", "--country", "XX"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "--country XX: no place of the gazetteer is in that country",
        ));
    gazmap()
        .args(["resolve", "Kabul", "--country", "af", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"status\":\"matched\""));
}
