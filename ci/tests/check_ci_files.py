#!/usr/bin/env python3
"""Checks the CI files against the single job list (ci/jobs.txt, through
ci/matrix) and against the script they share; registered with CTest by
ci/tests/CMakeLists.txt.

  check_ci_files.py workflow [--plant-job ID]   .github/workflows/ci.yml runs
      exactly the jobs of `ci/matrix list`: its matrices evaluated as GitHub
      would (the step that feeds fromJSON is run), each job's kind in a job
      of its own, the merge job after every test shard
  check_ci_files.py gitlab [--plant-job ID]     the same for
      ci/gitlab/leakgate.gitlab-ci.yml (its parallel: matrix JOB lists)
  check_ci_files.py action                      action.yml: its inputs and
      outputs, the environment ci/leakcheck-gate reads, and that step run
      against a stand-in leakcheck (a leak fails it, clean passes)
  check_ci_files.py readme                      README.md's example workflow
      (under "Gate your own server in CI"): validated, and its `with:` keys
      are action.yml's inputs
  check_ci_files.py run ID                      `ci/matrix run --dry-run ID`
      of a test shard: builds the preset as ci/test does, runs ctest with the
      shard's -I and the labels and exclusions of ci/presets.sh, into
      reports/matrix/ID/
  check_ci_files.py validate FILE               @action-validator/cli
      (ci/node_modules, pinned in ci/package-lock.json) on FILE

--plant-job ID adds a job running ID to the CI file (in memory) to prove
the check names it. GOOSE_MATRIX_JOBS=FILE makes ci/matrix read another
list. Exit 0: consistent; 1: not, each difference named; 77: a tool is
missing (CTest's skip code), except under CI=true, where that is a failure
(harness/test_util.h's rule).
"""

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKFLOW = os.path.join(ROOT, ".github", "workflows", "ci.yml")
GITLAB = os.path.join(ROOT, "ci", "gitlab", "leakgate.gitlab-ci.yml")
ACTION = os.path.join(ROOT, "action.yml")
GATE_SCRIPT = os.path.join(ROOT, "ci", "leakcheck-gate")
NODE_MODULES = os.path.join(ROOT, "ci", "node_modules")
VALIDATOR = os.path.join(NODE_MODULES, "@action-validator", "cli", "cli.mjs")

RUN_RE = re.compile(r"ci/matrix run\s+(\$\{\{\s*matrix\.id\s*\}\}|\"\$JOB\"|\$JOB|[A-Za-z0-9-]+)")
MERGE_RE = re.compile(r"ci/matrix merge\b")
FROM_JSON_RE = re.compile(r"^\$\{\{\s*fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)\s*\}\}$")
STEP_OUTPUT_RE = re.compile(r"^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$")


def missing_tool(what):
    """A tool is missing: skip (77), or fail under CI=true."""
    if os.environ.get("CI") == "true":
        print(f"FAIL: {what} (required when CI=true)")
        sys.exit(1)
    print(f"SKIP: {what}")
    sys.exit(77)


try:
    import yaml
except ImportError:
    yaml = None


def load_yaml(path):
    if yaml is None:
        missing_tool("python3-yaml is not installed: run ci/install-deps")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def run_matrix(*args):
    """ci/matrix's output; a list it refuses fails the check with its reason."""
    r = subprocess.run([os.path.join(ROOT, "ci", "matrix"), *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"DIFFERS: ci/matrix {' '.join(args)} refused the list: {r.stderr.strip()}")
        sys.exit(1)
    return r.stdout


def matrix_list(kind=None):
    return run_matrix("list", *([kind] if kind else [])).split()


def job_info():
    """{id: {"kind", "preset"}} from `ci/matrix github`."""
    out = run_matrix("github")
    info = {}
    for line in out.splitlines():
        for e in json.loads(line.split("=", 1)[1])["include"]:
            info[e["id"]] = e
    return info


def kind_of():
    return {i: e["kind"] for i, e in job_info().items()}


def steps_runs(job):
    return [s.get("run", "") for s in job.get("steps", []) or [] if isinstance(s, dict)]


def script_text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def expand_matrix(matrix):
    """The entries of a literal GitHub matrix: the product of its lists, then include."""
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    entries = []
    if axes:
        keys = list(axes)
        for values in itertools.product(*(axes[k] if isinstance(axes[k], list) else [axes[k]] for k in keys)):
            entries.append(dict(zip(keys, values)))
    entries.extend(matrix.get("include", []) or [])
    return entries


def step_outputs(run):
    """Runs a workflow step's script as the runner would and returns its GITHUB_OUTPUT."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "output")
        open(out, "w").close()
        env = dict(os.environ, GITHUB_OUTPUT=out)
        subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run],
                       cwd=ROOT, env=env, check=True)
        values, lines, i = {}, open(out, encoding="utf-8").read().splitlines(), 0
        while i < len(lines):
            line = lines[i]
            if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
                name, delim = line.split("<<", 1)
                body = []
                i += 1
                while lines[i] != delim:
                    body.append(lines[i])
                    i += 1
                values[name] = "\n".join(body)
            elif "=" in line:
                name, value = line.split("=", 1)
                values[name] = value
            i += 1
        return values


def check_workflow(plant):
    wf = load_yaml(WORKFLOW)
    jobs = wf.get("jobs", {})
    if plant:
        jobs["planted"] = {"needs": "matrix", "runs-on": "ubuntu-latest",
                           "steps": [{"uses": "actions/checkout@v4"}, {"run": f"ci/matrix run {plant}"}]}
    problems, ran = [], []  # ran: (job id, workflow job)
    sources, producers_of_tests, merges = set(), set(), []
    kinds = kind_of()
    for name, job in jobs.items():
        runs = steps_runs(job)
        matrix = (job.get("strategy") or {}).get("matrix")
        if isinstance(matrix, str):
            m = FROM_JSON_RE.match(matrix.strip())
            if m:
                sources.add(m.group(1))
        if any(MERGE_RE.search(r) for r in runs):
            merges.append(name)
        args = [a for r in runs for a in RUN_RE.findall(r)]
        if not args:
            continue
        ids = []
        for arg in args:
            if arg.startswith("${{"):
                if matrix is None:
                    problems.append(f"job '{name}' runs ci/matrix run ${{{{ matrix.id }}}} without a matrix")
                    continue
                if isinstance(matrix, str):
                    m = FROM_JSON_RE.match(matrix.strip())
                    if not m:
                        problems.append(f"job '{name}': matrix '{matrix}' is not fromJSON(needs.JOB.outputs.NAME)")
                        continue
                    src, output = m.groups()
                    needs = job.get("needs", [])
                    needs = [needs] if isinstance(needs, str) else needs
                    if src not in needs:
                        problems.append(f"job '{name}' reads needs.{src} but does not need it")
                    value = (jobs.get(src, {}).get("outputs") or {}).get(output, "")
                    sm = STEP_OUTPUT_RE.match(str(value).strip())
                    if not sm:
                        problems.append(f"job '{src}' has no output '{output}' from a step")
                        continue
                    step = next((s for s in jobs[src].get("steps", []) if s.get("id") == sm.group(1)), None)
                    if step is None or "run" not in step:
                        problems.append(f"job '{src}' has no step '{sm.group(1)}' that runs a command")
                        continue
                    outputs = step_outputs(step["run"])
                    if sm.group(2) not in outputs:
                        problems.append(f"step '{src}.{sm.group(1)}' wrote no output '{sm.group(2)}'")
                        continue
                    entries = expand_matrix(json.loads(outputs[sm.group(2)]))
                else:
                    entries = expand_matrix(matrix)
                for e in entries:
                    if "id" not in e:
                        problems.append(f"job '{name}': a matrix entry without an id: {e}")
                    else:
                        ids.append(e["id"])
            else:
                ids.append(arg)
        ran.extend((i, name) for i in ids)
        job_kinds = sorted({kinds.get(i, "?") for i in ids})
        if len(job_kinds) > 1:
            problems.append(f"job '{name}' mixes kinds of job {job_kinds}: each kind is a workflow job of its own")
        if "test" in job_kinds:
            producers_of_tests.add(name)
            uploads = [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
            if not any(s.get("with", {}).get("name") == "${{ matrix.id }}" and
                       s.get("with", {}).get("path") == "reports/matrix/${{ matrix.id }}" for s in uploads):
                problems.append(f"job '{name}' does not upload reports/matrix/<id> as the artifact <id> "
                                "(the merge job reads that layout)")
    for name, job in jobs.items():
        runs = steps_runs(job)
        if name in sources or name in merges or any(RUN_RE.search(r) for r in runs):
            continue
        problems.append(f"job '{name}' is neither a job of ci/jobs.txt (ci/matrix run), "
                        "the job list that feeds the matrices, nor the merge")
    if len(merges) != 1:
        problems.append(f"{len(merges)} jobs run ci/matrix merge, not one")
    else:
        needs = jobs[merges[0]].get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        for p in sorted(producers_of_tests - set(needs)):
            problems.append(f"the merge job '{merges[0]}' does not need '{p}', whose shards it merges")
    return compare("the workflow", ran, problems)


def gitlab_jobs(doc):
    """Every job of a GitLab document with its extends resolved (one merge per level)."""
    def resolved(name, seen=()):
        job = dict(doc[name])
        parents = job.pop("extends", [])
        parents = [parents] if isinstance(parents, str) else parents
        merged = {}
        for p in parents:
            if p in seen or p not in doc:
                continue
            merged.update(resolved(p, seen + (name,)))
        merged.update(job)
        return merged
    reserved = {"variables", "include", "stages", "default", "workflow", "image", "services",
                "cache", "before_script", "after_script"}
    return {k: resolved(k) for k, v in doc.items()
            if isinstance(v, dict) and k not in reserved and not k.startswith(".")}


def check_gitlab(plant):
    doc = load_yaml(GITLAB)
    if plant:
        doc["planted"] = {"extends": ".goose-leak-job", "parallel": {"matrix": [{"PRESET": "dev", "JOB": [plant]}]}}
    problems, ran, test_jobs, merges = [], [], set(), []
    info = job_info()
    kinds = {i: e["kind"] for i, e in info.items()}
    for name, job in gitlab_jobs(doc).items():
        script = script_text(job.get("script"))
        if MERGE_RE.search(script):
            merges.append(name)
        args = RUN_RE.findall(script)
        if not args:
            if not MERGE_RE.search(script):
                problems.append(f"job '{name}' is neither a job of ci/jobs.txt (ci/matrix run) nor the merge")
            continue
        ids = []
        for arg in args:
            if "JOB" in arg:
                entries = []
                for group in (job.get("parallel") or {}).get("matrix", []) or []:
                    keys = list(group)
                    for values in itertools.product(*([group[k]] if not isinstance(group[k], list)
                                                      else group[k] for k in keys)):
                        entries.append(dict(zip(keys, values)))
                if not entries:
                    problems.append(f"job '{name}' runs ci/matrix run $JOB without parallel: matrix")
                for e in entries:
                    ids.append(e.get("JOB"))
                    expected = info.get(e.get("JOB"), {}).get("preset")
                    if expected and e.get("PRESET") != expected:
                        problems.append(f"job '{name}': {e.get('JOB')} has PRESET {e.get('PRESET')} "
                                        f"(its build cache), not {expected}")
            else:
                ids.append(arg)
        ran.extend((i, name) for i in ids)
        if any(kinds.get(i) == "test" for i in ids):
            test_jobs.add(name)
    root = load_yaml(os.path.join(ROOT, ".gitlab-ci.yml"))
    includes = root.get("include", [])
    if {"local": os.path.relpath(GITLAB, ROOT)} not in (includes if isinstance(includes, list) else [includes]):
        problems.append(".gitlab-ci.yml does not include the GitLab file")
    if str((root.get("variables") or {}).get("GOOSE_LEAKGATE_SELF")) != "1":
        problems.append(".gitlab-ci.yml does not set GOOSE_LEAKGATE_SELF to 1 (the project's jobs would not run)")
    if len(merges) != 1:
        problems.append(f"{len(merges)} jobs run ci/matrix merge, not one")
    else:
        needs = [n["job"] if isinstance(n, dict) else n for n in gitlab_jobs(doc)[merges[0]].get("needs", [])]
        for p in sorted(test_jobs - set(needs)):
            problems.append(f"the merge job '{merges[0]}' does not need '{p}', whose shards it merges")
    return compare("the GitLab file", ran, problems)


def compare(what, ran, problems):
    listed = matrix_list()
    ids = [i for i, _ in ran]
    for i in sorted(set(ids)):
        if ids.count(i) > 1:
            problems.append(f"{what} runs {i} {ids.count(i)} times ({', '.join(j for k, j in ran if k == i)})")
    for i in listed:
        if i not in ids:
            problems.append(f"{what} does not run {i}, which ci/jobs.txt lists")
    for i, job in ran:
        if i not in listed:
            problems.append(f"{what} runs {i} (job '{job}'), which ci/jobs.txt does not list")
    if problems:
        for p in problems:
            print("DIFFERS:", p)
        return 1
    print(f"{what} runs exactly the {len(listed)} jobs of ci/jobs.txt: {' '.join(listed)}")
    return 0


def check_action():
    action = load_yaml(ACTION)
    problems = []
    inputs = action.get("inputs", {})
    for required in ("target", "mode", "scenarios", "iterations", "thresholds"):
        if required not in inputs:
            problems.append(f"action.yml has no input '{required}'")
    text = open(ACTION, encoding="utf-8").read()
    used = set(re.findall(r"\binputs\.([\w-]+)", text))
    for name in sorted(used - set(inputs)):
        problems.append(f"action.yml uses inputs.{name}, which it does not declare")
    for name in sorted(set(inputs) - used):
        problems.append(f"action.yml declares input '{name}' and never uses it")
    steps = action.get("runs", {}).get("steps", [])
    verdict = str(action.get("outputs", {}).get("verdict", {}).get("value", ""))
    m = STEP_OUTPUT_RE.match(verdict.strip())
    gate = next((s for s in steps if m and s.get("id") == m.group(1)), None)
    if not m or m.group(2) != "verdict" or gate is None:
        problems.append(f"output verdict ({verdict!r}) is not a step's verdict output")
    elif "ci/leakcheck-gate" not in gate.get("run", ""):
        problems.append(f"step '{gate.get('id')}' does not run ci/leakcheck-gate")
    if problems:
        for p in problems:
            print("DIFFERS:", p)
        return 1
    # The variables the gate step sets are exactly those ci/leakcheck-gate reads.
    reads = set(re.findall(r"^#\s+(LEAKCHECK\w*)", open(GATE_SCRIPT, encoding="utf-8").read(), re.M))
    sets = set(gate.get("env", {}))
    gitlab_sets = {k for k in (load_yaml(GITLAB).get(".goose-leakcheck", {}).get("variables") or {})
                   if k.startswith("LEAKCHECK")}
    if re.search(r"\$\{\{\s*github\.action_path", text):
        problems.append("action.yml uses the expression github.action_path, the host's path in a container "
                        "job: use $GITHUB_ACTION_PATH")
    # LEAKCHECK (the binary) defaults to the one beside the script, which the action builds.
    for name in sorted(reads - sets - {"LEAKCHECK"}):
        problems.append(f"the action's step does not set {name}, which ci/leakcheck-gate reads")
    for name in sorted(sets - reads):
        problems.append(f"the action's step sets {name}, which ci/leakcheck-gate does not read")
    for name in sorted((reads - {"LEAKCHECK"}) ^ gitlab_sets):
        problems.append(f"{name}: in one of ci/leakcheck-gate and the GitLab template's variables only")
    problems += run_gate_step(gate, inputs)
    if problems:
        for p in problems:
            print("DIFFERS:", p)
        return 1
    print("action.yml: inputs, output and ci/leakcheck-gate agree; a leak fails the step, clean passes")
    return 0


def run_gate_step(gate, inputs):
    """The action's gate step with the runner's shell, against a stand-in leakcheck."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fake = os.path.join(tmp, "leakcheck")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGV\"\n"
                    "while [ $# -gt 0 ]; do [ \"$1\" = --report ] && r=$2; shift; done\n"
                    "printf '{\"verdict\": \"%s\"}' \"$FAKE_VERDICT\" > \"$r/report.json\"\n"
                    "exit $FAKE_EXIT\n")
        os.chmod(fake, 0o755)
        values = {"target": "./my-server --flag 'a b'", "mode": "mcp", "scenarios": "calls,shutdown",
                  "iterations": "7", "thresholds": "t.json", "args": "--concurrency 3"}
        for verdict, exit_code, want_status in (("leak", 1, 1), ("clean", 0, 0), ("clean", 2, 1)):
            env = dict(os.environ, GITHUB_ACTION_PATH=ROOT, GITHUB_OUTPUT=os.path.join(tmp, "out"),
                       ARGV=os.path.join(tmp, "argv"), FAKE_VERDICT=verdict, FAKE_EXIT=str(exit_code),
                       LEAKCHECK=fake)
            for k, v in gate.get("env", {}).items():
                v = str(v)
                for name, default in ((n, str(i.get("default", ""))) for n, i in inputs.items()):
                    v = v.replace("${{ inputs.%s }}" % name, values.get(name, default))
                env[k] = v
            open(env["GITHUB_OUTPUT"], "w").close()
            r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", gate["run"]],
                               cwd=tmp, env=env, capture_output=True, text=True)
            out = open(env["GITHUB_OUTPUT"]).read()
            got = "clean" if verdict == "clean" and exit_code == 0 else ("error" if verdict == "clean" else verdict)
            if (r.returncode != 0) != bool(want_status):
                problems.append(f"leakcheck {verdict}, exit {exit_code}: the step exited {r.returncode}")
            if f"verdict={got}" not in out.split("\n"):
                problems.append(f"leakcheck {verdict}, exit {exit_code}: output {out.strip()!r}, not verdict={got}")
        if not os.path.exists(os.path.join(tmp, "argv")):
            return problems + ["the step never ran leakcheck"]
        argv = open(os.path.join(tmp, "argv")).read().split("\n")[:-1]
        want = ["mcp", "--scenario", "calls", "--scenario", "shutdown", "--iterations", "7",
                "--thresholds", "t.json", "--concurrency", "3", "--report", "leakcheck-report",
                "--junit", "leakcheck-report/junit.xml", "--markdown", "leakcheck-report/summary.md",
                "--", "./my-server", "--flag", "a b"]
        if argv != want:
            problems.append(f"the step ran leakcheck {argv}, not {want}")
    return problems


def validate(path):
    node = shutil.which("node")
    if node is None or not os.path.exists(VALIDATOR):
        missing_tool("node or ci/node_modules/@action-validator/cli is missing: run ci/install-deps --npm")
    version = json.load(open(os.path.join(NODE_MODULES, "@action-validator", "cli", "package.json")))["version"]
    r = subprocess.run([node, VALIDATOR, path], capture_output=True, text=True)
    sys.stdout.write(r.stdout + r.stderr)
    print(f"@action-validator/cli {version}: {os.path.relpath(path, ROOT) if path.startswith(ROOT) else os.path.basename(path)}: "
          + ("valid" if r.returncode == 0 else f"INVALID (exit {r.returncode})"))
    return r.returncode


def check_readme():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"### Gate your own server in CI.*?```yaml\n(.*?)```", text, re.S)
    if not m:
        print("DIFFERS: README.md has no ```yaml block under \"Gate your own server in CI\"")
        return 1
    example = m.group(1)
    inputs = load_yaml(ACTION).get("inputs", {})  # first: says so when python3-yaml is missing
    doc = yaml.safe_load(example)
    problems = []
    uses = [s for job in doc.get("jobs", {}).values() for s in job.get("steps", [])
            if "goose-leak@" in str(s.get("uses", ""))]
    if len(uses) != 1:
        problems.append(f"the example uses the action {len(uses)} times, not once")
    for step in uses:
        for key in step.get("with", {}):
            if key not in inputs:
                problems.append(f"the example passes '{key}', which action.yml does not take")
        for key, spec in inputs.items():
            if spec.get("required") and key not in step.get("with", {}):
                problems.append(f"the example does not pass the required input '{key}'")
    if problems:
        for p in problems:
            print("DIFFERS:", p)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "readme-example.yml")
        with open(path, "w") as f:
            f.write("name: readme example\non: push\n" + example)
        return validate(path)


def check_run(job):
    import shlex
    m = re.match(r"^(\w+)-(\d+)of(\d+)$", job)
    if not m:
        print(f"usage: check_ci_files.py run PRESET-KofN, not {job}")
        return 2
    preset, k, n = m.groups()
    presets = os.path.join(ROOT, "ci", "presets.sh")
    def preset_fn(fn):
        return subprocess.run(["bash", "-c", f'source "$0"; {fn} "$1"', presets, preset],
                              capture_output=True, text=True, check=True).stdout.strip()
    labels, excludes = preset_fn("preset_labels"), preset_fn("preset_excludes")
    lines = [shlex.split(line) for line in run_matrix("run", "--dry-run", job).splitlines()]
    out = os.path.join(ROOT, "reports", "matrix", job)
    problems = []
    if ["ci/build", "--tests", preset] not in lines:
        problems.append(f"it does not build with ci/build --tests {preset}: {lines}")
    ctest = [line for line in lines if "ctest" in line]
    want = (["env", f"GOOSE_GATE_REPORT_DIR={out}/gates", f"GOOSE_PRESET={preset}", "ctest", "--preset", preset,
             "-j", os.environ.get("GOOSE_TEST_JOBS", "2"), "-L", labels]
            + (["-E", excludes] if excludes else [])
            + ["-I", f"{k},,{n}", "--output-junit", f"{out}/ctest-junit.xml"])
    if ctest != [want]:
        problems.append(f"its ctest is {ctest}, not [{want}]")
    if not any(line[:2] == ["cp", "-r"] and line[-1] == f"reports/matrix/{job}/test-results" for line in lines):
        problems.append("it does not copy the shard's GoogleTest XML into its folder")
    if problems:
        for p in problems:
            print("DIFFERS: ci/matrix run", job + ":", p)
        return 1
    print(f"ci/matrix run {job}: ci/build --tests {preset}, then {' '.join(shlex.quote(w) for w in want)}")
    return 0


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    plant = None
    if "--plant-job" in argv:
        i = argv.index("--plant-job")
        plant = argv[i + 1]
        del argv[i:i + 2]
    if argv[0] == "workflow":
        return check_workflow(plant)
    if argv[0] == "gitlab":
        return check_gitlab(plant)
    if argv[0] == "action":
        return check_action()
    if argv[0] == "run" and len(argv) == 2:
        return check_run(argv[1])
    if argv[0] == "readme":
        return check_readme()
    if argv[0] == "validate" and len(argv) == 2:
        return validate(os.path.abspath(argv[1]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
