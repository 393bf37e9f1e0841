using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace NetGen.Tests.Harness;

/// <summary>
/// Golden files: the expected text lives in Golden/ beside the tests. A mismatch fails and writes
/// the actual text next to it as *.received.*; set NETGEN_UPDATE_GOLDEN=1 to accept it instead.
/// </summary>
internal static class Golden
{
    public static void Verify(string name, string actual)
    {
        string folder = Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "Golden");
        string path = Path.Combine(folder, name);
        string received = Path.Combine(folder, Path.GetFileNameWithoutExtension(name) + ".received" + Path.GetExtension(name));
        if (Environment.GetEnvironmentVariable("NETGEN_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            File.Delete(received);
            return;
        }

        string expected = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        if (expected != actual)
        {
            File.WriteAllText(received, actual);
            Assert.Fail($"{name} differs from its golden file; see {received}, and set NETGEN_UPDATE_GOLDEN=1 to accept it.");
        }

        File.Delete(received);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
