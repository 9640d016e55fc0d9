
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crypto', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='datakey',
            name='purpose',
            field=models.CharField(choices=[('person', "a person's data"), ('blind_index', 'blind indexes of the node'), ('audit_reasons', "reasons in the node's audit trail")], default='person', max_length=16),
        ),
        migrations.AddConstraint(
            model_name='datakey',
            constraint=models.UniqueConstraint(condition=models.Q(('purpose', 'audit_reasons')), fields=('purpose',), name='one_audit_reasons_key'),
        ),
    ]
