# asyncio as interview code uses it: tasks, gather, queues, timeouts, sleeps.
import asyncio
import time


async def fetch(name, delay):
    await asyncio.sleep(delay)
    return f"{name}:{delay}"


async def worker(name, queue, results):
    while True:
        job = await queue.get()
        try:
            await asyncio.sleep(job / 100)
            results.append((name, job))
        finally:
            queue.task_done()


async def slow():
    await asyncio.sleep(0.5)
    return "slow"


async def main():
    started = time.monotonic()
    print(await asyncio.gather(fetch("a", 0.03), fetch("b", 0.01), fetch("c", 0.02)))

    queue = asyncio.Queue()
    for job in [3, 1, 5, 2, 4]:
        queue.put_nowait(job)
    results = []
    workers = [asyncio.create_task(worker(f"w{i}", queue, results)) for i in range(2)]
    await queue.join()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    print(results)

    try:
        await asyncio.wait_for(slow(), timeout=0.1)
    except TimeoutError:
        print("timed out")

    done, pending = await asyncio.wait(
        [asyncio.create_task(fetch(n, d)) for n, d in [("x", 0.05), ("y", 0.01)]],
        return_when=asyncio.FIRST_COMPLETED,
    )
    print(sorted(t.result() for t in done), len(pending))
    for t in pending:
        t.cancel()

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(str(i), i / 1000)) for i in range(3)]
    print([t.result() for t in tasks])
    print("virtual time passed", time.monotonic() - started >= 0.2)


asyncio.run(main())
