"""The tests' kernel-start retry (tests/kernel_starts.py): a start that dies once is retried; one that always dies fails."""

import pytest

import kernel_starts

DIED = RuntimeError("Kernel died before replying to kernel_info")


def _flaky(failures):
    calls = []

    def start(*args, **kwargs):
        calls.append(args)
        if len(calls) <= failures:
            raise DIED
        return "kernel"

    return start, calls


def test_a_kernel_that_died_starting_once_is_started_again_with_a_warning():
    start, calls = _flaky(failures=1)
    with pytest.warns(UserWarning, match="kernel start 1 of 3 died"):
        assert kernel_starts.retry_nbval(start)("python3") == "kernel"
    assert len(calls) == 2


def test_a_kernel_that_always_dies_fails_after_three_starts():
    start, calls = _flaky(failures=10)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="Kernel died"):
        kernel_starts.retry_nbval(start)()
    assert len(calls) == kernel_starts.STARTS


def test_other_start_errors_are_not_retried():
    calls = []

    def start():
        calls.append(1)
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    with pytest.raises(RuntimeError, match="respond"):
        kernel_starts.retry_nbval(start)()
    assert len(calls) == 1


def test_nbclient_restarts_a_kernel_that_died_starting():
    import asyncio

    class Client:
        starts = 0

        def create_kernel_manager(self):
            return "manager"

        async def async_start_new_kernel(self):
            self.starts += 1

    attempts = []

    async def start_client(self):
        attempts.append(1)
        if len(attempts) == 1:
            raise DIED
        return "client"

    client = Client()
    with pytest.warns(UserWarning, match="kernel start 1 of 3"):
        assert asyncio.run(kernel_starts.retry_nbclient(start_client)(client)) == "client"
    assert (len(attempts), client.starts, client.km) == (2, 1, "manager")


def test_the_retry_is_installed_for_the_test_run():
    import nbval.kernel
    from nbclient import NotebookClient

    assert nbval.kernel.start_new_kernel.__wrapped__
    assert NotebookClient.async_start_new_kernel_client.__wrapped__
