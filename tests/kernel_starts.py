"""A kernel that dies while starting is started again, at most twice, with a warning in pytest's summary.

jupyter_client picks a kernel's five TCP ports by binding to port 0 and closing them again; with pytest-xdist,
another worker's kernel (or any outgoing connection) can take one of them before this kernel binds it, and the
kernel then dies "before replying to kernel_info" (seen once in CI, on 3.10.13; nbmake #129 reports the same).
A kernel that dies for a real reason dies three times and fails the test as before. `install()` wraps the two
places the tests start kernels: nbval's `start_new_kernel` and nbclient's `NotebookClient`.
"""

import functools
import warnings

import nbval.kernel
from nbclient import NotebookClient
from nbclient.util import run_sync

STARTS = 3


def died_starting(error: BaseException) -> bool:
    return isinstance(error, RuntimeError) and "Kernel died before replying to kernel_info" in str(error)


def _warn(attempt: int, error: BaseException) -> None:
    warnings.warn(f"kernel start {attempt} of {STARTS} died ({error}); starting a new kernel", stacklevel=3)


def retry_nbval(start):
    @functools.wraps(start)
    def start_new_kernel(*args, **kwargs):
        for attempt in range(1, STARTS + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as error:
                if attempt == STARTS or not died_starting(error):
                    raise
                _warn(attempt, error)

    return start_new_kernel


def retry_nbclient(start_client):
    @functools.wraps(start_client)
    async def async_start_new_kernel_client(self):
        for attempt in range(1, STARTS + 1):
            try:
                return await start_client(self)
            except RuntimeError as error:
                if attempt == STARTS or not died_starting(error):
                    raise
                _warn(attempt, error)
                self.km = self.create_kernel_manager()  # the failed start cleaned up its own
                await self.async_start_new_kernel()

    return async_start_new_kernel_client


def install() -> None:
    if getattr(nbval.kernel.start_new_kernel, "__wrapped__", None):
        return
    nbval.kernel.start_new_kernel = retry_nbval(nbval.kernel.start_new_kernel)
    NotebookClient.async_start_new_kernel_client = retry_nbclient(NotebookClient.async_start_new_kernel_client)
    NotebookClient.start_new_kernel_client = run_sync(NotebookClient.async_start_new_kernel_client)
