package com.shop.inventory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

@Configuration
public class SecurityConfig {
    @Bean
    SecurityFilterChain filterChain(HttpSecurity http) throws Exception {
        http.csrf(c -> c.disable()) // want-attr . csrf_protection=false(read) want-element code/src/main/java/com/shop/inventory/SecurityConfig.java/csrf_disabled control  // want "CODE-WEB-003"
            .authorizeHttpRequests(a -> a
                .requestMatchers("/actuator/health").permitAll()
                .anyRequest().authenticated()); // want-attr "entry/GET /api/stock/{sku}" authenticated=true(read) want-attr "entry/DELETE /api/stock/{sku}" authenticated=true(read)
        return http.build();
    }
}
