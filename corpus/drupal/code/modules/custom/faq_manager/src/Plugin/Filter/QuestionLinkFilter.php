<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Plugin\Filter;

use Drupal\Component\Utility\Html;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\faq_manager\FaqRepository;
use Drupal\filter\Attribute\Filter;
use Drupal\filter\FilterProcessResult;
use Drupal\filter\Plugin\FilterBase;
use Drupal\filter\Plugin\FilterInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Replaces [faq:123] tokens with a link that shows the FAQ question.
 */
#[Filter(
  id: 'faq_manager_question_links',
  title: new TranslatableMarkup('Link FAQ questions'),
  type: FilterInterface::TYPE_TRANSFORM_REVERSIBLE,
  description: new TranslatableMarkup('Turns [faq:ID] into a link to that FAQ entry.'),
  settings: ['link_class' => 'faq-link'],
)]
class QuestionLinkFilter extends FilterBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new QuestionLinkFilter object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static($configuration, $plugin_id, $plugin_definition, $container->get('entity_type.manager'));
  }

  /**
   * {@inheritdoc}
   */
  public function process($text, $langcode): FilterProcessResult {
    $result = new FilterProcessResult($text);
    if (!preg_match_all('/\[faq:(\d+)\]/', $text, $matches)) {
      return $result;
    }
    $entries = $this->entityTypeManager->getStorage('node')->loadMultiple(array_unique($matches[1]));
    $replacements = [];
    foreach ($entries as $nid => $entry) {
      if ($entry->bundle() !== FaqRepository::BUNDLE || !$entry->access('view')) {
        continue;
      }
      $replacements['[faq:' . $nid . ']'] = sprintf(
        '<a href="%s" class="%s">%s</a>',
        Html::escape($entry->toUrl()->toString()),
        Html::escape($this->settings['link_class']),
        Html::escape((string) $entry->label()),
      );
      $result->addCacheableDependency($entry);
    }
    return $result->setProcessedText(strtr($text, $replacements));
  }

  /**
   * {@inheritdoc}
   */
  public function tips($long = FALSE): TranslatableMarkup {
    return $this->t('Link to an FAQ entry with [faq:ID], for example [faq:42].');
  }

}
