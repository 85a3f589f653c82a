"""A stand-in for runpod.serverless of the RunPod SDK, version 1.7.13 (the one
requirements.txt pins), for the worker's tests.

start(config) runs one job as the SDK's worker loop does and reports it on a
channel instead of RunPod's job API: it reads the job ({"id", "input"}) as
JSON from stdin, runs config["handler"] on it as the SDK's run_job does, and
writes to file descriptor $RUNPOD_HARNESS_FD (3 by default) one JSON line per
message the SDK would send RunPod:

    {"status": "IN_PROGRESS", "output": <progress>}   per progress_update
    {"output": ...} or {"error": "..."}                the job's result, last

The result follows the SDK's rules: a dict the handler returns loses its
"error" key, which becomes the result's error, and an output left empty is
dropped; an exception becomes an error holding the JSON of error_type,
error_message, error_traceback, hostname, worker_id and runpod_version.
Unlike the SDK, progress is sent in order and before the result (the SDK
sends each update from its own thread).

The Go stand-in (runpod/runpodtest.Process) speaks the other end of the
channel; unit tests call run_job directly and see progress through record.
"""

import json
import os
import sys
import traceback

RUNPOD_VERSION = "1.7.13"

_send = None  # where progress_update sends, set by start or record


def start(config):
    """Runs the job on stdin with config["handler"]; see the module doc."""
    global _send
    fd = int(os.environ.get("RUNPOD_HARNESS_FD", "3"))
    with os.fdopen(fd, "w", encoding="utf-8") as channel:
        def send(message):
            channel.write(json.dumps(message) + "\n")
            channel.flush()

        _send = send
        job = json.loads(sys.stdin.read())
        send(run_job(config["handler"], job))


def progress_update(job, progress):
    """Sends progress as the output of the running job."""
    job["id"]  # the SDK logs the id: it fails the same way without one
    if _send is None:
        raise RuntimeError("progress_update called outside a job")
    _send({"status": "IN_PROGRESS", "output": progress})


def record():
    """Makes progress_update append each message to the returned list."""
    global _send
    sent = []
    _send = sent.append
    return sent


def run_job(handler, job):
    """The result the SDK sends RunPod once handler has run on job."""
    try:
        output = handler(job)
        if isinstance(output, dict):
            error = output.pop("error", None)
            result = {"output": output}
            if error:
                result["error"] = error
        else:
            result = {"output": output}
        if result.get("output") == {}:
            result.pop("output")
        return result
    except Exception as err:  # the SDK reports every handler exception
        return {"error": json.dumps({
            "error_type": str(type(err)),
            "error_message": str(err),
            "error_traceback": traceback.format_exc(),
            "hostname": os.environ.get("RUNPOD_POD_HOSTNAME", "unknown"),
            "worker_id": os.environ.get("RUNPOD_POD_ID", "unknown"),
            "runpod_version": RUNPOD_VERSION,
        })}
