<#-- The distribution's THIRD-PARTY.txt (see the license-maven-plugin executions in postern-server's pom): the bundled
     third-party jars grouped by licence, from their POMs. Postern's own modules (dev.postern, under LICENSE) are left
     out here: the plugin's excludedGroups does not leave out reactor modules. Context: licenseMap, entries of a
     licence name to the MavenProjects under it. -->
<#function thirdParty projects>
    <#return projects?filter(p -> p.groupId != "dev.postern")>
</#function>
<#function artifactName p>
    <#if p.name?? && p.name?index_of('Unnamed') == -1>
        <#return p.name>
    <#else>
        <#return p.artifactId>
    </#if>
</#function>
The third-party software bundled in lib/, grouped by licence (each as its POM declares it). A component under
several licences is listed under each. NOTICE has the notices; licenses/ the files the jars carry.
<#list licenseMap as e>
<#assign projects = thirdParty(e.getValue())/>
<#if projects?size != 0>

${e.getKey()}:
<#list projects as p>
  * ${artifactName(p)} ${p.version} (${p.groupId}:${p.artifactId})<#if p.url??> ${p.url}</#if>
</#list>
</#if>
</#list>
