"""A minimal stand-in for AWS's Python runtime interface client (awslambdaric).

AWS's client is published on PyPI only, which the test machines cannot reach,
so the tests run a Python function under this loop instead. It does what the
managed python runtime does with the documented Runtime API (2018-06-01):
puts LAMBDA_TASK_ROOT on sys.path and imports `_HANDLER` (`module.function`)
during INIT (a failure goes to POST /runtime/init/error and ends the process),
then loops: GET /runtime/invocation/next, call the handler with the JSON event
and a context, POST .../{id}/response with the JSON answer, or
.../{id}/error with {errorMessage, errorType, requestId, stackTrace} and
`Lambda-Runtime-Function-Error-Type: Unhandled` when the handler raises.
"""

import http.client
import importlib
import json
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(API)
    try:
        connection.request(method, PREFIX + path, body, headers or {})
        response = connection.getresponse()
        return response.read(), response.headers
    finally:
        connection.close()


def error_body(error, request_id=None):
    return json.dumps(
        {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            **({"requestId": request_id} if request_id else {}),
            "stackTrace": traceback.format_list(traceback.extract_tb(error.__traceback__)),
        }
    ).encode("utf-8")


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        self.invoked_function_arn = headers["Lambda-Runtime-Invoked-Function-Arn"]
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers["Lambda-Runtime-Deadline-Ms"])

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def main():
    error_headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": "Unhandled"}
    try:
        sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
        module_name, function_name = os.environ["_HANDLER"].rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as error:
        request("POST", "/init/error", error_body(error), error_headers)
        sys.exit(1)
    while True:
        body, headers = request("GET", "/invocation/next")
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id", "")
        try:
            answer = json.dumps(handler(json.loads(body), Context(headers))).encode("utf-8")
        except Exception as error:
            traceback.print_exc()
            request("POST", f"/invocation/{request_id}/error", error_body(error, request_id), error_headers)
            continue
        request("POST", f"/invocation/{request_id}/response", answer, {"Content-Type": "application/json"})


main()
