using NetGen;

namespace NetGen.Benchmarks;

[Network("lesson.netgen.json")]
public static partial class Lesson;

[Network("digits.netgen.json")]
public static partial class Digits;
