from django.core.management.base import BaseCommand, CommandError

from shouwang.areas.services import areas_load
from shouwang.core.textfile import UndecodableText, decode_text


class Command(BaseCommand):
    help = "导入行政区划表（CSV，表头 code,name,parent_code，UTF-8 或 GB18030）：有任何错误则一行都不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="区划 CSV 文件路径")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, "rb") as fh:
                text = decode_text(fh.read())
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}", returncode=2) from None
        except IsADirectoryError:
            raise CommandError(f"{file} 是目录，不是文件。", returncode=2) from None
        except OSError as error:
            raise CommandError(
                f"无法读取文件 {file}：{error.strerror or error}", returncode=2
            ) from None
        except UndecodableText as error:
            raise CommandError(f"{file}：{error}", returncode=2) from None
        report = areas_load(text=text, source=file)
        if report.errors:
            for message in report.messages:
                self.stderr.write(message)
            raise CommandError(
                f"发现 {len(report.errors)} 处错误，未导入任何区划。请改正后重新导入。",
                returncode=2,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {report.created} 个，更名 {report.updated} 个，"
                f"未变 {report.unchanged} 个。"
            )
        )
