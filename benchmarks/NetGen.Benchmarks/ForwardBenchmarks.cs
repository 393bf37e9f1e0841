using System;
using System.IO;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>One sample through the lesson network (2-3-2-1) and the digits model (64-32-16-10).</summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private readonly float[] _lessonInput = [3f, 1f];
    private readonly float[] _lessonOutput = new float[Lesson.OutputSize];
    private readonly float[] _digitsInput = new float[Digits.InputSize];
    private readonly float[] _digitsOutput = new float[Digits.OutputSize];
    private NaiveMlp _naiveLesson = null!;
    private NaiveMlp _naiveDigits = null!;

    [GlobalSetup]
    public void Setup()
    {
        _naiveLesson = new NaiveMlp(Path.Combine(AppContext.BaseDirectory, "Networks", "lesson.netgen.json"));
        _naiveDigits = new NaiveMlp(Path.Combine(AppContext.BaseDirectory, "Networks", "digits.netgen.json"));
        var random = new Random(64);
        for (int i = 0; i < _digitsInput.Length; i++)
        {
            _digitsInput[i] = (float)random.NextDouble();
        }
    }

    [Benchmark(Description = "lesson: NetGen")]
    public void LessonNetGen() => Lesson.Forward(_lessonInput, _lessonOutput);

    [Benchmark(Description = "lesson: naive loops")]
    public void LessonNaive() => _naiveLesson.Forward(_lessonInput, _lessonOutput);

    [Benchmark(Description = "digits: NetGen")]
    public void DigitsNetGen() => Digits.Forward(_digitsInput, _digitsOutput);

    [Benchmark(Description = "digits: NetGen with Cache")]
    public void DigitsNetGenCache()
    {
        var cache = new Digits.Cache();
        Digits.Forward(_digitsInput, _digitsOutput, ref cache);
    }

    [Benchmark(Description = "digits: naive loops")]
    public void DigitsNaive() => _naiveDigits.Forward(_digitsInput, _digitsOutput);
}
