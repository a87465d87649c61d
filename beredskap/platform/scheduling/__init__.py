"""The platform's scheduler: one APScheduler among the worker processes (`leadership`), run
while this process leads (`runner`), calling the jobs the capabilities declare with their
`JobContext` (`registry`, `executor`). It imports no capability."""
