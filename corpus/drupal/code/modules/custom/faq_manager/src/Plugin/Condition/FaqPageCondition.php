<?php

namespace Drupal\faq_manager\Plugin\Condition;

use Drupal\Core\Annotation\ContextDefinition;
use Drupal\Core\Annotation\Translation;
use Drupal\Core\Condition\Annotation\Condition;
use Drupal\Core\Condition\ConditionPluginBase;
use Drupal\Core\Form\FormStateInterface;

/**
 * Limits a block to pages that show a single FAQ entry.
 *
 * @Condition(
 *   id = "faq_manager_faq_page",
 *   label = @Translation("FAQ entry page"),
 *   context_definitions = {
 *     "node" = @ContextDefinition("entity:node", label = @Translation("Node"), required = FALSE)
 *   }
 * )
 */
class FaqPageCondition extends ConditionPluginBase {

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration() {
    return ['faq_only' => FALSE] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function buildConfigurationForm(array $form, FormStateInterface $form_state) {
    $form['faq_only'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Show only on FAQ entry pages'),
      '#default_value' => $this->configuration['faq_only'],
    ];
    return parent::buildConfigurationForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitConfigurationForm(array &$form, FormStateInterface $form_state) {
    $this->configuration['faq_only'] = (bool) $form_state->getValue('faq_only');
    parent::submitConfigurationForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function evaluate() {
    if (empty($this->configuration['faq_only']) && !$this->isNegated()) {
      return TRUE;
    }
    $node = $this->getContextValue('node');
    return $node && $node->bundle() == 'faq';
  }

  /**
   * {@inheritdoc}
   */
  public function summary() {
    if ($this->isNegated()) {
      return $this->t('The page does not show an FAQ entry');
    }
    return $this->t('The page shows an FAQ entry');
  }

}
