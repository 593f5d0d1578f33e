<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Routing\RouteMatchInterface;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\Core\Url;
use Drupal\faq_manager\FaqRepository;

/**
 * Adds FAQ structured data to the FAQ page and documents the module.
 */
final class FaqManagerPageHooks {

  use StringTranslationTrait;

  /**
   * Constructs a new FaqManagerPageHooks object.
   */
  public function __construct(
    private readonly RouteMatchInterface $routeMatch,
    private readonly FaqRepository $faqRepository,
  ) {}

  /**
   * Embeds schema.org FAQPage JSON-LD so search engines can show answers.
   */
  #[Hook('page_attachments')]
  public function attachStructuredData(array &$attachments): void {
    if ($this->routeMatch->getRouteName() !== 'faq_manager.overview') {
      return;
    }
    $questions = [];
    foreach ($this->faqRepository->loadEntries(NULL, 50) as $entry) {
      $questions[] = [
        '@type' => 'Question',
        'name' => $entry->label(),
        'acceptedAnswer' => [
          '@type' => 'Answer',
          'text' => strip_tags((string) $entry->get('body')->value),
        ],
      ];
    }
    if ($questions === []) {
      return;
    }
    $structured_data = [
      '@context' => 'https://schema.org',
      '@type' => 'FAQPage',
      'mainEntity' => $questions,
    ];
    $attachments['#attached']['html_head'][] = [
      [
        '#type' => 'html_tag',
        '#tag' => 'script',
        '#attributes' => ['type' => 'application/ld+json'],
        '#value' => json_encode($structured_data, JSON_UNESCAPED_SLASHES | JSON_HEX_TAG),
      ],
      'faq_manager_structured_data',
    ];
    $attachments['#cache']['tags'][] = 'node_list:faq';
  }

  /**
   * Explains the FAQ workflow on the help page.
   */
  #[Hook('help')]
  public function help(string $route_name, RouteMatchInterface $route_match): ?string {
    if ($route_name !== 'help.page.faq_manager') {
      return NULL;
    }
    $output = '<h2>' . $this->t('About') . '</h2>';
    $output .= '<p>' . $this->t('Visitors ask questions on the <a href=":ask">question form</a>; each question becomes an unpublished FAQ entry that an editor answers and publishes. Published entries appear by category on the <a href=":faq">FAQ page</a>.', [
      ':ask' => Url::fromRoute('faq_manager.ask')->toString(),
      ':faq' => Url::fromRoute('faq_manager.overview')->toString(),
    ]) . '</p>';
    return $output;
  }

}
