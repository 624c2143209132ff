#!/usr/bin/python3
"""The Kubernetes manifests in packaging/kubernetes, checked without a cluster: each parses as
YAML and carries the fields a node needs, and the hook configuration they install is judged by
the real `idshift oci-hook` (the pod's annotations pass it, a hostile one does not).

usage: kubernetes_manifests.py SOURCE_DIR IDSHIFT_BIN
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

FAILED = []


def expect_eq(what, expected, actual):
    if expected != actual:
        FAILED.append(what)
        print(f"FAIL: {what}\n  expected: {expected!r}\n  actual:   {actual!r}")
    else:
        print(f"   ok  {what:<60} {expected!r}")


def by_name(items):
    return {item["name"]: item for item in items}


def run_hook(binary, config_text, annotations):
    """Exit status and stderr of `idshift oci-hook --config FILE` for a container with these
    annotations and no io.idshift.volumes: the settings are judged, nothing is mounted."""
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as config:
        config.write(config_text)
        config.flush()
        state = {"ociVersion": "1.0.2", "id": "k8s-check", "status": "creating", "pid": 1,
                 "bundle": "/nonexistent", "annotations": annotations}
        done = subprocess.run([binary, "oci-hook", "--config", config.name],
                              input=json.dumps(state), capture_output=True, text=True)
        return done.returncode, done.stderr.strip()


def main(source, binary):
    kube = Path(source) / "packaging" / "kubernetes"
    node = list(yaml.safe_load_all((kube / "idshift-node.yaml").read_text()))
    pod = yaml.safe_load((kube / "example-pod.yaml").read_text())
    hook = json.loads((Path(source) / "packaging" / "oci" / "idshift-oci-hook.json").read_text())

    expect_eq("idshift-node.yaml: the objects", ["Namespace", "ConfigMap", "DaemonSet"],
              [doc["kind"] for doc in node])
    namespace, config_map, daemon_set = node
    expect_eq("everything in one namespace", {namespace["metadata"]["name"]},
              {config_map["metadata"]["namespace"], daemon_set["metadata"]["namespace"]})

    spec = daemon_set["spec"]["template"]["spec"]
    expect_eq("DaemonSet: selector matches the pod template",
              daemon_set["spec"]["selector"]["matchLabels"],
              daemon_set["spec"]["template"]["metadata"]["labels"])
    expect_eq("DaemonSet: host pid namespace (nsenter into the host's pid 1)", True,
              spec.get("hostPID"))
    install = spec["initContainers"][0]
    expect_eq("installer: privileged", True, install["securityContext"]["privileged"])
    volumes = by_name(spec["volumes"])
    host_paths = {name: (v["hostPath"]["path"], v["hostPath"]["type"])
                  for name, v in volumes.items() if "hostPath" in v}
    expect_eq("host paths: /dev/fuse, the package's directory, /etc/idshift",
              {"dev-fuse": ("/dev/fuse", "CharDevice"),
               "var-lib-idshift": ("/var/lib/idshift", "DirectoryOrCreate"),
               "etc-idshift": ("/etc/idshift", "DirectoryOrCreate")}, host_paths)
    mounts = {m["name"]: m["mountPath"] for m in install["volumeMounts"]}
    expect_eq("installer: /dev/fuse at /dev/fuse", "/dev/fuse", mounts["dev-fuse"])
    script = install["command"][-1]
    copied = re.search(r"cp /opt/idshift/idshift\.deb (\S+)/idshift\.deb", script)
    expect_eq("installer: the .deb is copied into the host's /var/lib/idshift",
              mounts["var-lib-idshift"], copied and copied.group(1))
    expect_eq("installer: the host's package manager installs that file, in the host's mounts",
              True, bool(re.search(r"nsenter --target 1 --mount .*\\\n\s*apt-get install -y "
                                   r"--no-install-recommends /var/lib/idshift/idshift\.deb",
                                   script)))
    conf_target = re.search(r"mv (\S+)/oci-hook\.conf\.new (\S+)/oci-hook\.conf", script)
    expect_eq("installer: oci-hook.conf replaced atomically in the host's /etc/idshift",
              (mounts["etc-idshift"], mounts["etc-idshift"]),
              conf_target and conf_target.groups())
    expect_eq("installer: the configuration comes from the ConfigMap",
              config_map["metadata"]["name"], volumes["config"]["configMap"]["name"])
    stays = spec["containers"][0]
    expect_eq("the container that stays is not privileged", False,
              stays["securityContext"]["privileged"])
    expect_eq("pod and DaemonSet select the same nodes", spec["nodeSelector"],
              pod["spec"]["nodeSelector"])

    annotations = pod["metadata"]["annotations"]
    trigger = hook["when"]["annotations"]
    expect_eq("the hook's trigger matches the pod's annotation", [True],
              [bool(re.search(key, "io.idshift.volumes")) and bool(re.search(value, annotations[
                  "io.idshift.volumes"])) for key, value in trigger.items()])
    expect_eq("the hook's stage", ["createRuntime"], hook["stages"])
    paths = {m["mountPath"] for c in pod["spec"]["containers"] for m in c["volumeMounts"]}
    expect_eq("every annotated volume is mounted in the pod", True,
              set(annotations["io.idshift.volumes"].split(",")) <= paths)
    expect_eq("the pod's volume is network storage", ["nfs"],
              [key for key in pod["spec"]["volumes"][0] if key != "name"])

    conf = config_map["data"]["oci-hook.conf"]
    settings = {k: v for k, v in (a for a in annotations.items() if a[0] != "io.idshift.volumes")}
    expect_eq("idshift oci-hook: the ConfigMap's file lets the pod's annotations through",
              (0, ""), run_hook(binary, conf, settings))
    code, message = run_hook(binary, conf, {"io.idshift.storage-passwd": "/etc/shadow"})
    expect_eq("idshift oci-hook: a host path as the storage's passwd is refused", (1, (
        "idshift oci-hook: container k8s-check: annotation io.idshift.storage-passwd: "
        "'/etc/shadow' is not a file name in /etc/idshift/storage")), (code, message))
    code, message = run_hook(binary, conf, {"io.idshift.unmapped-write": "squash:0"})
    expect_eq("idshift oci-hook: the policies stay the host's", (1, (
        "idshift oci-hook: container k8s-check: annotation io.idshift.unmapped-write: this host "
        "does not let containers choose unmapped-write (see 'annotations' in ")),
        (code, message[:message.rfind(" in ") + 4]))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
