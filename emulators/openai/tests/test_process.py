"""The emulator as a process: ``python -m openai_emulator`` on a free port."""

from __future__ import annotations

from openai import AsyncOpenAI

from openai_emulator.testing import run_emulator


async def test_subprocess_serves_scripted_completions():
    with run_emulator() as emulator:
        emulator.script([{"content": '{"intent": "other"}'}])
        async with AsyncOpenAI(
            api_key="k", base_url=emulator.base_url + "/v1", max_retries=0
        ) as client:
            completion = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
            )
        assert completion.choices[0].message.content == '{"intent": "other"}'
        assert len(emulator.requests()) == 1
    assert emulator.process.poll() is not None
