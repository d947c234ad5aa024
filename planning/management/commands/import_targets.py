from scorecard.imports import import_targets
from scorecard.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Programa (o reforma, con --reason) las metas de un plan desde un xlsx o csv."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--reason", default="", help="motivo de la reforma (plan aprobado que cambia metas)"
        )

    def run(self, path, *, plan, user, dry_run, options):
        return import_targets(
            path,
            plan=plan,
            user=user,
            reason=options["reason"],
            dry_run=dry_run,
            file_name=self.file_name(path),
        )
