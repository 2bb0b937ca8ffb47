# Runs under Windows PowerShell 5.1 (on every Windows) as well as pwsh 7; ASCII only, as 5.1 reads BOM-less scripts in the ANSI code page.
# Authenticode-signs one file for Tauri's bundler (bundle.windows.signCommand passes %1):
# the app .exe, the NSIS installer and uninstaller, the MSI. Secrets come only from the
# environment, which the release workflow fills from the repository's secret store.
#
# Two ways to hold the key, whichever the environment provides:
#  1. Azure Trusted Signing (an HSM-held key; what new OV/EV certificates require since
#     June 2023): AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, plus
#     TRUSTED_SIGNING_ENDPOINT, TRUSTED_SIGNING_ACCOUNT, TRUSTED_SIGNING_PROFILE;
#     signed with trusted-signing-cli (cargo install trusted-signing-cli).
#  2. A PFX file: WINDOWS_CERTIFICATE (base64 of the .pfx) and WINDOWS_CERTIFICATE_PASSWORD;
#     signed with signtool from the Windows SDK.
# Without either, local builds are left unsigned with a warning; the release workflow sets
# CERTDESK_REQUIRE_SIGNING=1 so a missing secret fails the release instead.
param([Parameter(Mandatory = $true)][string]$File)
$ErrorActionPreference = 'Stop'
$timestamp = 'http://timestamp.digicert.com'

if ($env:TRUSTED_SIGNING_ACCOUNT) {
    & trusted-signing-cli -e $env:TRUSTED_SIGNING_ENDPOINT -a $env:TRUSTED_SIGNING_ACCOUNT `
        -c $env:TRUSTED_SIGNING_PROFILE -d 'CertDesk' $File
    if ($LASTEXITCODE -ne 0) { throw "trusted-signing-cli failed for $File" }
    exit 0
}

if ($env:WINDOWS_CERTIFICATE) {
    $pfx = Join-Path ([IO.Path]::GetTempPath()) ("certdesk-sign-" + [Guid]::NewGuid() + ".pfx")
    try {
        [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:WINDOWS_CERTIFICATE))
        $signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
            Sort-Object FullName -Descending | Select-Object -First 1
        if (-not $signtool) { throw 'signtool.exe not found (Windows SDK)' }
        & $signtool.FullName sign /f $pfx /p $env:WINDOWS_CERTIFICATE_PASSWORD `
            /fd sha256 /tr $timestamp /td sha256 /d 'CertDesk' $File
        if ($LASTEXITCODE -ne 0) { throw "signtool failed for $File" }
    }
    finally {
        Remove-Item -Force -ErrorAction SilentlyContinue $pfx
    }
    exit 0
}

if ($env:CERTDESK_REQUIRE_SIGNING -eq '1') {
    throw "no signing secret in the environment; refusing to ship $File unsigned"
}
Write-Warning "not signed (no signing secret in the environment): $File"
