from scorecard.imports import import_indicators
from scorecard.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Crea o actualiza los indicadores de un plan desde un xlsx o csv (todo o nada)."

    def run(self, path, *, plan, user, dry_run, options):
        return import_indicators(
            path, plan=plan, user=user, dry_run=dry_run, file_name=self.file_name(path)
        )
