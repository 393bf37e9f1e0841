using System;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests.Runtime;

/// <summary>
/// CI reruns the tests with the runtime's vector switches off, so that every kernel width runs on
/// one machine; this checks that each switch in the environment took effect. A switch the runtime
/// does not read (as .NET 10 ignores <c>DOTNET_EnableAVX512F</c>, the .NET 8 name) would otherwise
/// rerun the widest kernels and report the narrower ones as tested.
/// </summary>
public sealed class VectorWidthTests
{
    [Fact]
    public void The_vector_switches_of_the_environment_are_in_effect()
    {
        if (IsOff("DOTNET_EnableAVX512"))
        {
            Assert.False(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX512=0, yet Vector512 is accelerated.");
        }

        if (IsOff("DOTNET_EnableAVX2"))
        {
            Assert.False(Vector256.IsHardwareAccelerated, "DOTNET_EnableAVX2=0, yet Vector256 is accelerated.");
        }

        if (IsOff("DOTNET_EnableHWIntrinsic"))
        {
            Assert.False(Vector128.IsHardwareAccelerated, "DOTNET_EnableHWIntrinsic=0, yet Vector128 is accelerated.");
        }
    }

    private static bool IsOff(string variable) => Environment.GetEnvironmentVariable(variable) == "0";
}
