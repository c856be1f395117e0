"""`report`: the meeting document (HTML, Markdown or xlsx)."""

from __future__ import annotations

from reerisk.cli import (
    DEFAULT_HORIZON_DAYS,
    Command,
    app,
    check_run_options,
    load_inputs,
    projection_run,
    user_errors,
    warn_about_days,
)
from reerisk.cli_options import (
    AsOfOpt,
    ElementsOpt,
    Files,
    HorizonOpt,
    JobsOpt,
    RateOpt,
    ReportFormatOpt,
    ReportOutputOpt,
    ReportTrialsOpt,
    ScenarioOpt,
    ScenariosOpt,
    SeedOpt,
)
from reerisk.options import DEFAULT_SEED, parse_seed, parse_trials


@app.command(cls=Command)
def report(
    files: Files,
    scenarios: ScenariosOpt = None,
    scenario: ScenarioOpt = None,
    rate: RateOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_DAYS,
    as_of: AsOfOpt = None,
    elements: ElementsOpt = None,
    report_format: ReportFormatOpt = None,
    output: ReportOutputOpt = None,
    trials: ReportTrialsOpt = None,
    seed: SeedOpt = str(DEFAULT_SEED),
    jobs: JobsOpt = 1,
) -> None:
    """The meeting document: summary, heat table, charts per plant (HTML, Markdown, xlsx)."""
    with user_errors():
        from reerisk.report import choose_format

        chosen_format = choose_format(output, report_format)
        day_zero = check_run_options(horizon, jobs, output, [*files, scenarios, elements], as_of)
        run_trials = None if trials is None else parse_trials(trials)
        run_seed = parse_seed(seed)

        from reerisk.report.write import require_libraries

        require_libraries(chosen_format, output)
        reference, plants, chosen = load_inputs(
            files, scenarios, scenario or [], rate or [], elements
        )
        warn_about_days(plants, day_zero, horizon)

        from reerisk.report.write import gather, write_report

        run = projection_run(reference, chosen, horizon, day_zero)
        stats = None
        if run_trials is not None:
            from reerisk.montecarlo import SimulationRun
            from reerisk.report.write import trial_stats

            simulation = SimulationRun(
                chosen, reference.regimes, horizon, day_zero, run.today, run_trials, run_seed,
                (10.0, 50.0), 10.0,
            )  # fmt: skip
            stats = trial_stats(simulation, plants, jobs)
        document = gather(run, plants, reference.regimes, jobs, stats)
        write_report(document, chosen_format, output)
