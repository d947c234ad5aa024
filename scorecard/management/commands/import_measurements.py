from scorecard.imports import import_measurements
from scorecard.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Registra valores reportados de un plan desde un xlsx o csv (todo o nada)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--validate", action="store_true", help="marcar los valores como validados"
        )
        parser.add_argument(
            "--overwrite", action="store_true", help="reemplazar también valores ya validados"
        )

    def run(self, path, *, plan, user, dry_run, options):
        return import_measurements(
            path,
            plan=plan,
            user=user,
            validate=options["validate"],
            overwrite=options["overwrite"],
            dry_run=dry_run,
            file_name=self.file_name(path),
        )
