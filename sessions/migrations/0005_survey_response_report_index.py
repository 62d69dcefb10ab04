"""The survey answers get the yearly report's covering index, which also serves the survey foreign key."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0004_attendance_snapshot_required'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='surveyresponse',
            index=models.Index(fields=['survey'], include=('submitted_at', 'overall_rating', 'usefulness_rating', 'trainer_rating', 'recommend_score'), name='surveyresponse_report'),
        ),
        migrations.AlterField(
            model_name='surveyresponse',
            name='survey',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='training.survey'),
        ),
    ]
