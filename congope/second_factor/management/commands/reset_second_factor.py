from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from congope.second_factor import devices


class Command(BaseCommand):
    help = (
        "Olvida el autenticador y los códigos de recuperación de una persona (teléfono "
        "perdido o cambiado): en su próximo ingreso activará uno nuevo."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no existe el usuario {username}")
        if devices.second_factor_reset(user):
            self.stdout.write(
                f"segundo factor de {username} restablecido: activará uno nuevo al ingresar"
            )
        else:
            self.stdout.write(f"{username} no tenía segundo factor; nada que restablecer")
