from django.db import connection
from django.contrib.auth.models import Group

def test_a(page, live_server, official_plan):
    print("A", Group.objects.count())
    page.goto(live_server.url + "/planes/")
    print("A2", Group.objects.count())

def test_b():
    print("B", hasattr(connection, "_test_serialized_contents"), Group.objects.count())
