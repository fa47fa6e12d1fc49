c = get_config()  # noqa: F821
c.CourseDirectory.source_directory = "solutions"
