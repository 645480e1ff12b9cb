"""Ingestion on Ray: documents parsed in Ray tasks, passages embedded by a pool of Ray actors.

`rag index --ray` starts a local Ray on this machine's CPUs; `rag index --ray ADDRESS` ("auto",
"ray://head:10001") joins a cluster. The build is otherwise the same as a local one (`rag.indexer`):
unchanged documents (by content hash) are reused, not parsed or embedded again; the index-wide member
table is gathered between the two steps, so it needs every parsed document first; the driver writes the
passages and vectors in order and commits the build atomically, so a killed run leaves the previous
index as it was and the next run completes it. With a Milvus server as the backend, each embedding
worker also writes the passages it embeds to Milvus itself (upserts: a batch sent again is one copy),
so no vector goes through the driver a second time; `rag.milvus.sync` then only deletes what is gone.
A worker that dies is replaced by Ray: parse tasks are retried (`max_retries`), embedding actors
restarted and their batch sent again (`max_restarts`, `max_task_retries`).

Ray core (tasks and an actor pool), not Ray Data: the member table is a barrier between parsing and
embedding, and a long-lived pool keeps one loaded model per actor across all batches of a build.
"""

from __future__ import annotations

import os
import numpy as np

from rag.errors import RagError

ACTOR_BATCH = 64  # passages per call to an embedding actor


def _ray():
    try:
        import ray
    except ImportError as exc:
        raise RagError("`rag index --ray` needs Ray: pip install 'kamervragen[scale]'.") from exc
    return ray


class EmbedWorker:
    """One embedding model, loaded once; texts → float32 vectors, also written to Milvus when it has a
    sink (`rag.milvus.PassageSink`)."""

    def __init__(self, model: str, threads: int, sink=None):
        self.sink = sink
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch

            torch.set_num_threads(threads)
        except ImportError:
            pass
        from rag.embedding import make_embedder

        self.embedder = make_embedder(model)

    def pid(self) -> int:
        return os.getpid()

    def embed(self, texts: list[str], records: list[dict] | None = None) -> np.ndarray:
        """The texts' vectors; with `records` (their passages as Milvus stores them), also written."""
        from rag.indexer import ENCODE_BATCH

        vectors = np.asarray(self.embedder.encode_documents(texts, batch_size=ENCODE_BATCH), dtype=np.float32)
        if records is not None and self.sink is not None:
            self.sink.write(records, vectors)
        return vectors


def _reachable(address: str | None) -> None:
    """Refuse at once a cluster address nobody listens on (Ray itself retries for minutes)."""
    import re
    import socket

    found = re.fullmatch(r"(?:ray://)?\[?([\w.:-]+?)\]?:(\d+)", address or "")
    if not found:
        return
    try:
        socket.create_connection((found.group(1), int(found.group(2))), timeout=5).close()
    except OSError as exc:
        raise RagError(f"Ray at {address} cannot be reached ({exc.strerror or exc}); start it, or leave out "
                       f"--ray-address for a local Ray.") from exc


class RayExecutor:
    """Parsing and embedding for `rag.indexer.build_index` on Ray (see the module docstring)."""

    def __init__(self, address: str | None, model: str, workers: int | None = None, sink: str | None = None):
        """`sink`: a Milvus server ("milvus://host:port") the workers write the passages they embed to
        (a Milvus Lite file is one process's: the driver's `rag.milvus.sync` fills that); its collection
        is made ready for this model first, before Ray starts (a server that is down fails at once)."""
        if sink:
            from rag.embedding import make_embedder
            from rag.milvus import identity_of, prepare

            prepare(sink, identity_of(model, make_embedder(model).dim))  # the dimension without the model
        ray = _ray()
        self.sink = sink
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            _reachable(address)
            try:
                if address in (None, "", "local"):
                    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
                             configure_logging=False)
                else:
                    ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
            except Exception as exc:  # ConnectionError, RuntimeError, …: Ray's own, by version
                raise RagError(f"Ray at {address} cannot be reached ({str(exc).splitlines()[0][:160]}); "
                               f"start it, or leave out --ray-address for a local Ray.") from exc
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, workers or max(1, cpus // 2))
        self.threads = max(1, cpus // self.workers)
        self.model = model
        self._actors: list | None = None  # made at the first batch: parsing has every CPU until then
        from rag.indexer import parse_document

        self._parse = ray.remote(num_cpus=1, max_retries=3)(parse_document)

    def parse(self, jobs: list[tuple[str, str]]) -> list:
        """Documents (or (path, reason)) for (path, doc_id) jobs, in order."""
        if not jobs:
            return []
        # The embedding workers hold the CPUs the parsing tasks wait for (a pool made before, by an
        # earlier build with this executor): let it go; it is made again at the first batch.
        self._release_workers()
        return self.ray.get([self._parse.remote(path, doc_id) for path, doc_id in jobs])

    def _release_workers(self) -> None:
        for a in self._actors or ():
            self.ray.kill(a)
        self._actors = None

    @property
    def actors(self) -> list:
        if self._actors is None:
            actor = self.ray.remote(num_cpus=self.threads, max_restarts=-1, max_task_retries=-1)(EmbedWorker)
            from rag.milvus import PassageSink

            sink = PassageSink(self.sink) if self.sink else None
            self._actors = [actor.remote(self.model, self.threads, sink) for _ in range(self.workers)]
        return self._actors

    def embed(self, texts: list[str], records: list[dict] | None = None) -> np.ndarray:
        """Vectors for the texts, in order, from the actor pool; `records` (with a sink): the passages
        the workers write to Milvus with their vectors."""
        from ray.util import ActorPool

        starts = range(0, len(texts), ACTOR_BATCH)
        batches = [(texts[i:i + ACTOR_BATCH], records[i:i + ACTOR_BATCH] if records else None) for i in starts]
        if not batches:
            return np.zeros((0, 0), dtype=np.float32)
        pool = ActorPool(self.actors)
        return np.concatenate(list(pool.map(lambda a, batch: a.embed.remote(*batch), batches)))

    def worker_pids(self) -> list[int]:
        return self.ray.get([a.pid.remote() for a in self.actors])

    def close(self) -> None:
        self._release_workers()
        if self.started:
            self.ray.shutdown()
