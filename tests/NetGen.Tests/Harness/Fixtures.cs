using System;
using System.IO;

namespace NetGen.Tests.Harness;

/// <summary>The files the tests read, copied beside the test assembly by the project.</summary>
internal static class Fixtures
{
    /// <summary>The full path of a network description (or weight file) under Networks/.</summary>
    public static string NetworkPath(string file) => Path.Combine(AppContext.BaseDirectory, "Networks", file);

    /// <summary>The text of a network description under Networks/.</summary>
    public static string Network(string file) => File.ReadAllText(NetworkPath(file));
}
