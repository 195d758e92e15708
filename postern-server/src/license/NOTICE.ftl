<#-- The head of the distribution's NOTICE (see the license-maven-plugin executions in postern-server's pom): Postern's
     own notice, then every bundled third-party jar as its POM describes it. The build appends the notices the jars
     carry themselves (META-INF/NOTICE*). Postern's own modules (dev.postern, under LICENSE) are left out: the plugin's
     excludedGroups does not leave out reactor modules. Context: dependencyMap, entries of MavenProject to its licences. -->
<#assign bundled = dependencyMap?filter(e -> e.getKey().groupId != "dev.postern")/>
<#function artifactName p>
    <#if p.name?? && p.name?index_of('Unnamed') == -1>
        <#return p.name>
    <#else>
        <#return p.artifactId>
    </#if>
</#function>
Postern
Copyright 2026 The Postern maintainers

Postern is licensed under the Apache License, Version 2.0 (see LICENSE).

This distribution bundles, in lib/, the following ${bundled?size} third-party components. Each is under
its own licence, as its POM declares it; THIRD-PARTY.txt lists them grouped by licence, and licenses/ holds
the licence and notice files that the jars themselves carry (by jar).
<#list bundled as e>
<#assign p = e.getKey()/>

  ${artifactName(p)} ${p.version} (${p.groupId}:${p.artifactId})
    Licence: ${e.getValue()?join(", ")}
<#if (p.organization.name)??>
    By: ${p.organization.name}
</#if>
<#if p.url??>
    Home: ${p.url}
</#if>
</#list>

------------------------------------------------------------------------------------------------------------
The notices that bundled jars carry themselves (their META-INF/NOTICE files), as they are:

