"""The first privacy notice (EN/ES/FR), and the managers' permissions on the notice and consents.

Managers edit the notice in the back office by publishing new versions; this default says who processes
officers' data, why, for how long and which rights they have (GDPR article 13, Mexico's aviso de privacidad).
"""

from django.db import migrations
from django.utils import timezone

from accounts.roles import sync_role_groups

TEXT_EN = """\
Who is responsible for your data
The training program that runs this portal (TrainingOps) is responsible for the personal data you give us here (the "controller"). You can reach us at the contact address at the end of this notice.

What data we process
Your name, work email address, agency, job title and preferred language; the sessions you register for and your attendance; your answers to surveys and knowledge checks; the certificates issued to you; and the technical records needed to keep the portal secure (sign-ins, emails sent to you).

Why we process it
- to create and verify your officer account and your affiliation with your agency;
- to register you for training sessions, send you confirmations, reminders, meeting links and surveys, and issue your certificates of attendance;
- to produce statistics about the program (sessions held, officers trained, agencies and countries reached), which never name you;
- to keep the portal secure.
We process your data on the basis of your consent and to deliver the training you ask for. We do not sell your data and do not use it for advertising.

Who can see it
The trainers of the sessions you register for, the program managers, and your own agency's focal point (your registrations and attendance only). Our hosting and email providers process it only on our instructions. Because the program trains officers from many countries, your data may be processed outside your country, with the same protection.

How long we keep it
As long as your account exists. When you delete your account, we erase your name, email address, profile, survey comments and certificates at once; only anonymous counts (for example, "one officer from your agency attended") are kept.

Your rights
You may access, correct and download your data (your profile page), delete your account at any time, withdraw your consent, and object to or ask us to restrict its processing. In Mexico these are your ARCO rights (access, rectification, cancellation and opposition). To exercise any of them, write to the contact address below; we answer within 20 working days. You may also complain to your data protection authority.

Changes to this notice
When this notice changes we publish a new version, and you are asked to read and accept it the next time you sign in.
"""

TEXT_ES = """\
Responsable de sus datos
El programa de capacitación que opera este portal (TrainingOps) es responsable de los datos personales que usted nos proporciona aquí (el "responsable"). Puede contactarnos en la dirección indicada al final de este aviso.

Qué datos tratamos
Su nombre, correo electrónico institucional, agencia, cargo e idioma preferido; las sesiones en las que se inscribe y su asistencia; sus respuestas a encuestas y evaluaciones de conocimientos; los certificados que se le emiten; y los registros técnicos necesarios para mantener la seguridad del portal (inicios de sesión, correos que se le envían).

Para qué los tratamos
- para crear y verificar su cuenta de funcionario y su adscripción a su agencia;
- para inscribirlo en sesiones de capacitación, enviarle confirmaciones, recordatorios, enlaces de reunión y encuestas, y emitir sus certificados de asistencia;
- para elaborar estadísticas del programa (sesiones impartidas, funcionarios capacitados, agencias y países alcanzados), que nunca lo identifican;
- para mantener la seguridad del portal.
Tratamos sus datos con base en su consentimiento y para impartirle la capacitación que usted solicita. No vendemos sus datos ni los usamos con fines publicitarios.

Quién puede verlos
Los instructores de las sesiones en las que usted se inscribe, los responsables del programa y el enlace de su propia agencia (solo sus inscripciones y su asistencia). Nuestros proveedores de alojamiento y de correo los tratan únicamente conforme a nuestras instrucciones. Como el programa capacita a funcionarios de muchos países, sus datos pueden tratarse fuera de su país, con la misma protección.

Cuánto tiempo los conservamos
Mientras exista su cuenta. Cuando usted elimina su cuenta, borramos de inmediato su nombre, correo electrónico, perfil, comentarios de encuestas y certificados; solo se conservan cifras anónimas (por ejemplo, "asistió un funcionario de su agencia").

Sus derechos
Usted puede acceder a sus datos, rectificarlos y descargarlos (en su página de perfil), eliminar su cuenta en cualquier momento, revocar su consentimiento y oponerse a su tratamiento o solicitar que lo limitemos. En México, estos son sus derechos ARCO (acceso, rectificación, cancelación y oposición). Para ejercer cualquiera de ellos, escriba a la dirección de contacto indicada abajo; respondemos en un plazo de 20 días hábiles. También puede presentar una queja ante su autoridad de protección de datos.

Cambios a este aviso
Cuando este aviso cambie, publicaremos una nueva versión y se le pedirá que la lea y la acepte la próxima vez que inicie sesión.
"""

TEXT_FR = """\
Responsable du traitement
Le programme de formation qui exploite ce portail (TrainingOps) est responsable des données personnelles que vous nous confiez ici (le « responsable du traitement »). Vous pouvez nous joindre à l'adresse de contact indiquée à la fin de cette notice.

Données traitées
Vos nom et prénom, votre adresse e-mail professionnelle, votre agence, votre fonction et votre langue préférée ; les sessions auxquelles vous vous inscrivez et votre présence ; vos réponses aux enquêtes et aux évaluations de connaissances ; les attestations qui vous sont délivrées ; et les journaux techniques nécessaires à la sécurité du portail (connexions, e-mails qui vous sont envoyés).

Finalités
- créer et vérifier votre compte d'agent et votre rattachement à votre agence ;
- vous inscrire aux sessions de formation, vous envoyer confirmations, rappels, liens de réunion et enquêtes, et vous délivrer vos attestations de présence ;
- établir des statistiques du programme (sessions tenues, agents formés, agences et pays atteints), qui ne vous nomment jamais ;
- assurer la sécurité du portail.
Nous traitons vos données sur la base de votre consentement et pour vous dispenser la formation que vous demandez. Nous ne vendons pas vos données et ne les utilisons pas à des fins publicitaires.

Destinataires
Les formateurs des sessions auxquelles vous vous inscrivez, les responsables du programme et le point focal de votre propre agence (uniquement vos inscriptions et votre présence). Nos prestataires d'hébergement et d'e-mail ne les traitent que sur nos instructions. Le programme formant des agents de nombreux pays, vos données peuvent être traitées hors de votre pays, avec la même protection.

Durée de conservation
Aussi longtemps que votre compte existe. Lorsque vous supprimez votre compte, nous effaçons aussitôt vos nom, adresse e-mail, profil, commentaires d'enquête et attestations ; seuls des chiffres anonymes sont conservés (par exemple « un agent de votre agence était présent »).

Vos droits
Vous pouvez accéder à vos données, les rectifier et les télécharger (depuis votre page de profil), supprimer votre compte à tout moment, retirer votre consentement, vous opposer au traitement ou en demander la limitation. Au Mexique, ce sont vos droits ARCO (accès, rectification, annulation et opposition). Pour exercer l'un de ces droits, écrivez à l'adresse de contact ci-dessous ; nous répondons sous 20 jours ouvrés. Vous pouvez également introduire une réclamation auprès de votre autorité de protection des données.

Modifications de cette notice
Lorsque cette notice change, nous publions une nouvelle version et il vous est demandé de la lire et de l'accepter lors de votre prochaine connexion.
"""


def publish_first_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("accounts", "PrivacyNotice")
    if not PrivacyNotice.objects.exists():
        PrivacyNotice.objects.create(
            version=1,
            text_en=TEXT_EN.strip(),
            text_es=TEXT_ES.strip(),
            text_fr=TEXT_FR.strip(),
            published_at=timezone.now(),
        )


def grant_permissions(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_privacy_notice"), ("training", "0010_certificate_issuer")]

    operations = [
        migrations.RunPython(publish_first_notice, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
