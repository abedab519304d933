#!/usr/bin/python3
"""A real gRPC peer for Rampart's gateway tests, on Debian's python3-grpcio.

  kserve_grpc.py server STATE_DIR
      Serves inference.GRPCInferenceService on 127.0.0.1 (cleartext HTTP/2),
      prints "listening PORT" and records every call it receives in
      STATE_DIR/calls.jsonl (method, model, identity header) so that a test
      can check what reached the upstream.

  kserve_grpc.py client HOST:PORT METHOD [--key K] [--model M] [--models M1,M2]
      One call (or, for ModelStreamInfer, one stream of requests for the
      listed models), printed as a JSON line: {"code": <grpc status>,
      "details": ..., "trailers": {...}, "response": {...}}.

The messages come from inference.proto beside this file, compiled by protoc
into a temporary directory at start.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE = "inference.GRPCInferenceService"


def load_messages():
    out = tempfile.mkdtemp(prefix="rampart-pb-")
    subprocess.run(["protoc", "-I", HERE, "--python_out", out, "inference.proto"], check=True)
    sys.path.insert(0, out)
    import inference_pb2  # noqa: E402

    return inference_pb2


pb = load_messages()


def serve(state_dir):
    lock = threading.Lock()
    log_path = os.path.join(state_dir, "calls.jsonl")

    def record(method, model, context):
        md = dict(context.invocation_metadata())
        with lock, open(log_path, "a") as f:
            f.write(json.dumps({"method": method, "model": model,
                                "identity": md.get("x-rampart-identity", ""),
                                "authorization": "authorization" in md}) + "\n")

    def live(req, ctx):
        record("ServerLive", "", ctx)
        return pb.ServerLiveResponse(live=True)

    def ready(req, ctx):
        record("ModelReady", req.name, ctx)
        return pb.ModelReadyResponse(ready=True)

    def metadata(req, ctx):
        record("ModelMetadata", req.name, ctx)
        return pb.ModelMetadataResponse(name=req.name, versions=["1"], platform="onnxruntime_onnx")

    def infer_one(req):
        resp = pb.ModelInferResponse(model_name=req.model_name, id=req.id)
        for t in req.inputs:
            o = resp.outputs.add()
            o.name = t.name + "_out"
            o.datatype = t.datatype
            o.shape.extend(t.shape)
            o.contents.fp32_contents.extend([2 * v for v in t.contents.fp32_contents])
        return resp

    def infer(req, ctx):
        record("ModelInfer", req.model_name, ctx)
        return infer_one(req)

    def stream_infer(it, ctx):
        for req in it:
            record("ModelStreamInfer", req.model_name, ctx)
            yield pb.ModelStreamInferResponse(infer_response=infer_one(req))

    def load(req, ctx):
        record("RepositoryModelLoad", req.model_name, ctx)
        return pb.RepositoryModelLoadResponse()

    def unary(fn, req_type, resp_type):
        return grpc.unary_unary_rpc_method_handler(
            fn, request_deserializer=req_type.FromString,
            response_serializer=resp_type.SerializeToString)

    handlers = {
        "ServerLive": unary(live, pb.ServerLiveRequest, pb.ServerLiveResponse),
        "ModelReady": unary(ready, pb.ModelReadyRequest, pb.ModelReadyResponse),
        "ModelMetadata": unary(metadata, pb.ModelMetadataRequest, pb.ModelMetadataResponse),
        "ModelInfer": unary(infer, pb.ModelInferRequest, pb.ModelInferResponse),
        "ModelStreamInfer": grpc.stream_stream_rpc_method_handler(
            stream_infer, request_deserializer=pb.ModelInferRequest.FromString,
            response_serializer=pb.ModelStreamInferResponse.SerializeToString),
        "RepositoryModelLoad": unary(load, pb.RepositoryModelLoadRequest,
                                     pb.RepositoryModelLoadResponse),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"listening {port}", flush=True)
    server.wait_for_termination()


def infer_request(model, i=0):
    req = pb.ModelInferRequest(model_name=model, id=f"req-{i}")
    t = req.inputs.add()
    t.name = "input"
    t.datatype = "FP32"
    t.shape.extend([1, 3])
    t.contents.fp32_contents.extend([1.0, 2.0, 3.0 + i])
    return req


def client(args):
    channel = grpc.insecure_channel(args.target)
    metadata = [("authorization", "Bearer " + args.key)] if args.key else []
    method = f"/{SERVICE}/{args.method}"
    out = {"code": 0, "details": "", "trailers": {}, "response": None}
    try:
        if args.method == "ModelStreamInfer":
            call = channel.stream_stream(method,
                                         request_serializer=pb.ModelInferRequest.SerializeToString,
                                         response_deserializer=pb.ModelStreamInferResponse.FromString)
            models = args.models.split(",")
            responses = call(iter([infer_request(m, i) for i, m in enumerate(models)]),
                             metadata=metadata, timeout=10)
            out["response"] = [r.infer_response.model_name for r in responses]
        else:
            req_type, resp_type, req = {
                "ServerLive": (pb.ServerLiveRequest, pb.ServerLiveResponse, pb.ServerLiveRequest()),
                "ModelReady": (pb.ModelReadyRequest, pb.ModelReadyResponse,
                               pb.ModelReadyRequest(name=args.model)),
                "ModelMetadata": (pb.ModelMetadataRequest, pb.ModelMetadataResponse,
                                  pb.ModelMetadataRequest(name=args.model)),
                "ModelInfer": (pb.ModelInferRequest, pb.ModelInferResponse,
                               infer_request(args.model)),
                "RepositoryModelLoad": (pb.RepositoryModelLoadRequest,
                                        pb.RepositoryModelLoadResponse,
                                        pb.RepositoryModelLoadRequest(model_name=args.model)),
            }[args.method]
            call = channel.unary_unary(method, request_serializer=req_type.SerializeToString,
                                       response_deserializer=resp_type.FromString)
            for _ in range(args.repeat - 1):  # earlier calls of a --repeat run
                call.with_call(req, metadata=metadata, timeout=10)
                out["calls"] = out.get("calls", 0) + 1
            resp, info = call.with_call(req, metadata=metadata, timeout=10)
            out["calls"] = out.get("calls", 0) + 1
            out["trailers"] = {k: v for k, v in (info.trailing_metadata() or [])}
            if args.method == "ModelInfer":
                out["response"] = {"model": resp.model_name,
                                   "outputs": [list(o.contents.fp32_contents) for o in resp.outputs]}
            else:
                out["response"] = str(resp)
    except grpc.RpcError as e:
        out["code"] = e.code().value[0]
        out["details"] = e.details() or ""
        out["trailers"] = {k: (v if isinstance(v, str) else v.hex())
                           for k, v in (e.trailing_metadata() or [])}
    print(json.dumps(out), flush=True)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("state_dir")
    c = sub.add_parser("client")
    c.add_argument("target")
    c.add_argument("method")
    c.add_argument("--key", default="")
    c.add_argument("--model", default="")
    c.add_argument("--models", default="")
    c.add_argument("--repeat", type=int, default=1, help="calls on one channel, one after another")
    args = p.parse_args()
    if args.mode == "server":
        serve(args.state_dir)
    else:
        client(args)


if __name__ == "__main__":
    main()
